package dev.latchkey.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.latchkey.core.audit.AuditEvent;
import dev.latchkey.core.tenant.TenantId;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.slf4j.LoggerFactory;
import org.slf4j.event.KeyValuePair;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/** {@link JdbcAuditLog} on each database: one row and one log line per event, never a throw. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class JdbcAuditLogContract {
    private static final Instant AT = Instant.parse("2026-03-04T05:06:07.123456Z");
    private static final String DETAIL_MARKER = "detail-value-8f3a";

    private TestDatabase database;
    private JdbcAuditLog audit;
    private final ListAppender<ILoggingEvent> auditLines = new ListAppender<>();
    private final ListAppender<ILoggingEvent> warnings = new ListAppender<>();

    protected abstract TestDatabase openDatabase();

    @BeforeAll
    void open() {
        database = openDatabase();
        audit = new JdbcAuditLog(database.dataSource());
    }

    @AfterAll
    void close() {
        database.close();
    }

    @BeforeEach
    void capture() {
        database.update("DELETE FROM audit_events");
        attach(JdbcAuditLog.LOGGER_NAME, auditLines);
        attach(JdbcAuditLog.class.getName(), warnings);
    }

    @AfterEach
    void release() {
        logger(JdbcAuditLog.LOGGER_NAME).detachAppender(auditLines);
        logger(JdbcAuditLog.class.getName()).detachAppender(warnings);
    }

    @Test
    void record_event_storesOneRowWithDetailsAsJson() throws SQLException {
        audit.record(event(Map.of("resource", "github-mcp", "note", "quote \" and\nnewline " + DETAIL_MARKER)));

        try (Connection connection = database.dataSource().getConnection();
                Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery(
                        "SELECT at, tenant, actor, action, reason, details, id FROM audit_events")) {
            assertThat(row.next()).isTrue();
            assertThat(row.getObject(1, OffsetDateTime.class).toInstant()).isEqualTo(AT);
            assertThat(row.getString(2)).isEqualTo("acme");
            assertThat(row.getString(3)).isEqualTo("user:alice");
            assertThat(row.getString(4)).isEqualTo("grant.refresh");
            assertThat(row.getString(5)).isEqualTo("invalid_grant");
            Map<String, String> details =
                    JsonMapper.builder().build().readValue(row.getString(6), new TypeReference<>() {});
            assertThat(details)
                    .containsExactlyInAnyOrderEntriesOf(
                            Map.of("resource", "github-mcp", "note", "quote \" and\nnewline " + DETAIL_MARKER));
            assertThat(row.getLong(7)).isPositive();
            assertThat(row.next()).isFalse();
        }
    }

    @Test
    void record_twoEvents_getIncreasingIds() throws SQLException {
        audit.record(event(Map.of()));
        audit.record(event(Map.of()));

        try (Connection connection = database.dataSource().getConnection();
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT id, details FROM audit_events ORDER BY id")) {
            assertThat(rows.next()).isTrue();
            long first = rows.getLong(1);
            assertThat(rows.getString(2)).isEqualTo("{}");
            assertThat(rows.next()).isTrue();
            assertThat(rows.getLong(1)).isGreaterThan(first);
        }
    }

    @Test
    void record_event_logsOneInfoLineWithFieldsAsKeyValues() {
        audit.record(event(Map.of("resource", "github-mcp")));

        assertThat(auditLines.list).hasSize(1);
        ILoggingEvent line = auditLines.list.getFirst();
        assertThat(line.getLevel()).isEqualTo(ch.qos.logback.classic.Level.INFO);
        Map<String, Object> fields = new HashMap<>();
        for (KeyValuePair pair : line.getKeyValuePairs()) {
            fields.put(pair.key, pair.value);
        }
        assertThat(fields)
                .containsEntry("tenant", "acme")
                .containsEntry("actor", "user:alice")
                .containsEntry("action", "grant.refresh")
                .containsEntry("reason", "invalid_grant")
                .containsEntry("details", "{\"resource\":\"github-mcp\"}")
                .containsKey("at");
    }

    @Test
    void record_databaseDown_neitherThrowsNorLogsDetails() {
        Database closed = Database.open(database.settings());
        closed.close();
        JdbcAuditLog unreachable = new JdbcAuditLog(closed.dataSource());

        assertThatCode(() -> unreachable.record(event(Map.of("note", DETAIL_MARKER))))
                .doesNotThrowAnyException();

        assertThat(warnings.list).hasSize(1);
        ILoggingEvent warning = warnings.list.getFirst();
        assertThat(warning.getLevel()).isEqualTo(ch.qos.logback.classic.Level.WARN);
        assertThat(warning.getFormattedMessage()).doesNotContain(DETAIL_MARKER);
        assertThat(warning.getKeyValuePairs())
                .noneMatch(pair -> String.valueOf(pair.value).contains(DETAIL_MARKER));
        assertThat(warning.getThrowableProxy()).isNull();
    }

    private static AuditEvent event(Map<String, String> details) {
        return new AuditEvent(AT, TenantId.of("acme"), "user:alice", "grant.refresh", "invalid_grant", details);
    }

    private static void attach(String name, ListAppender<ILoggingEvent> appender) {
        appender.list.clear();
        appender.start();
        logger(name).addAppender(appender);
    }

    private static Logger logger(String name) {
        return (Logger) LoggerFactory.getLogger(name);
    }
}
