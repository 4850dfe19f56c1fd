package dev.latchkey.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;

/** What a running {@link Application} stored, read straight from its database for assertions. */
final class StoredRows {
    private StoredRows() {}

    /** The audit reasons recorded for {@code action}, oldest first. */
    static List<String> auditReasons(Application app, String action) throws Exception {
        return column(app, "SELECT reason FROM audit_events WHERE action = '" + action + "' ORDER BY id");
    }

    /** The first column of every row {@code sql} selects. */
    static List<String> column(Application app, String sql) throws Exception {
        List<String> values = new ArrayList<>();
        try (Connection connection = app.storage().database().dataSource().getConnection();
                PreparedStatement query = connection.prepareStatement(sql);
                ResultSet rows = query.executeQuery()) {
            while (rows.next()) {
                values.add(rows.getString(1));
            }
        }
        return values;
    }

    /** The first column of the one row {@code sql} must select. */
    static String single(Application app, String sql) throws Exception {
        List<String> values = column(app, sql);
        assertThat(values).as(sql).isNotEmpty();
        return values.getFirst();
    }
}
