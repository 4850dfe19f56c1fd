package dev.latchkey.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * C2-10: however many keys are guessed, checking a presented API key costs one primary-key probe
 * on PostgreSQL, never a scan of the table. The planner is asked about the store's own statement
 * over a table large enough (and analysed) that a scan would show.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PostgresApiKeyLookupPlanTest {
    private TestDatabase database;

    @BeforeAll
    void fill() throws SQLException {
        database = TestDatabase.postgres();
        try (Connection connection = database.dataSource().getConnection();
                Statement statement = connection.createStatement()) {
            statement.executeUpdate("INSERT INTO api_keys (tenant, id, user_id, hash, scopes, created_at)"
                    + " SELECT 'tenant' || (i % 5), lpad(i::text, 16, '0'), 'user-' || (i % 1000),"
                    + " repeat('a', 64), '[]', now() FROM generate_series(1, 50000) AS i");
            statement.execute("ANALYZE api_keys");
        }
    }

    @AfterAll
    void close() {
        database.close();
    }

    private List<String> plan(String sql, String tenant, String id) throws SQLException {
        List<String> lines = new ArrayList<>();
        try (Connection connection = database.dataSource().getConnection();
                PreparedStatement explain = connection.prepareStatement("EXPLAIN " + sql)) {
            explain.setString(1, tenant);
            explain.setString(2, id);
            try (ResultSet row = explain.executeQuery()) {
                while (row.next()) {
                    lines.add(row.getString(1));
                }
            }
        }
        return lines;
    }

    @Test
    void find_existingAndGuessedIds_primaryKeyProbeNeverATableScan() throws SQLException {
        for (String id : List.of("0000000000012345", "zZ9zZ9zZ9zZ9zZ9z")) {
            List<String> plan = plan(JdbcApiKeyStore.FIND, "tenant0", id);

            assertThat(String.join("\n", plan))
                    .as("plan for a lookup")
                    .contains("api_keys_pk")
                    .doesNotContain("Seq Scan");
        }
    }
}
