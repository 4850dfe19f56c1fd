package dev.latchkey.store;

import dev.latchkey.core.audit.AuditEvent;
import dev.latchkey.core.audit.AuditLog;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.ZoneOffset;
import java.util.TreeMap;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@link AuditLog} into the {@code audit_events} table, with each event also logged as one line to
 * the SLF4J logger {@code latchkey.audit} at INFO, its fields as key/values (so a JSON encoder
 * escapes them; request-supplied text cannot forge a line). Never throws: an event the database
 * refuses is reported as a warning that names the tenant, action and reason but not the details.
 * Thread-safe.
 */
public final class JdbcAuditLog implements AuditLog {
    /** The logger every audit event is written to, for routing audit lines separately. */
    public static final String LOGGER_NAME = "latchkey.audit";

    private static final Logger AUDIT = LoggerFactory.getLogger(LOGGER_NAME);
    private static final Logger LOG = LoggerFactory.getLogger(JdbcAuditLog.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final int ACTOR_COLUMN_LENGTH = 255;
    private static final String INSERT =
            "INSERT INTO audit_events (at, tenant, actor, action, reason, details) VALUES (?, ?, ?, ?, ?, ?)";

    private final DataSource dataSource;

    public JdbcAuditLog(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Override
    public void record(AuditEvent event) {
        String details;
        try {
            // Sorted keys: the same details always serialise to the same text.
            details = JSON.writeValueAsString(new TreeMap<>(event.details()));
        } catch (JacksonException e) {
            details = "{}";
        }
        AUDIT.atInfo()
                .setMessage("audit")
                .addKeyValue("at", event.at())
                .addKeyValue("tenant", event.tenant().value())
                .addKeyValue("actor", event.actor())
                .addKeyValue("action", event.action())
                .addKeyValue("reason", event.reason())
                .addKeyValue("details", details)
                .log();
        store(event, details);
    }

    private void store(AuditEvent event, String details) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement insert = connection.prepareStatement(INSERT)) {
            insert.setObject(1, event.at().atOffset(ZoneOffset.UTC));
            insert.setString(2, event.tenant().value());
            insert.setString(3, truncate(event.actor()));
            insert.setString(4, event.action());
            insert.setString(5, event.reason());
            insert.setString(6, details);
            insert.executeUpdate();
        } catch (SQLException | RuntimeException e) {
            LOG.atWarn()
                    .setMessage("audit event not stored in the database")
                    .addKeyValue("tenant", event.tenant().value())
                    .addKeyValue("action", event.action())
                    .addKeyValue("reason", event.reason())
                    .addKeyValue(
                            "failure",
                            e instanceof SQLException sql
                                    ? "SQLState " + sql.getSQLState()
                                    : e.getClass().getSimpleName())
                    .log();
        }
    }

    // An over-long actor must not cost the whole event; the log line above keeps it in full.
    private static String truncate(String actor) {
        return actor.length() <= ACTOR_COLUMN_LENGTH ? actor : actor.substring(0, ACTOR_COLUMN_LENGTH);
    }
}
