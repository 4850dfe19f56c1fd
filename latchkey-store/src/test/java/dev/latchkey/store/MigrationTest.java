package dev.latchkey.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The migrations give H2 and PostgreSQL the same tables and columns. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MigrationTest {
    private static final String COLUMNS = "SELECT table_name, column_name, is_nullable FROM information_schema.columns"
            + " WHERE table_schema = 'public' ORDER BY table_name, column_name";

    private TestDatabase h2;
    private TestDatabase postgres;

    @BeforeAll
    void open() {
        h2 = TestDatabase.h2();
        postgres = TestDatabase.postgres();
    }

    @AfterAll
    void close() {
        h2.close();
        postgres.close();
    }

    @Test
    void migrate_h2AndPostgres_yieldSameColumns() throws SQLException {
        List<String> onH2 = rows(h2, COLUMNS);
        List<String> onPostgres = rows(postgres, COLUMNS);

        assertThat(onH2).isEqualTo(onPostgres);
        assertThat(onPostgres)
                .filteredOn(column -> column.startsWith("token_sets "))
                .containsExactly(
                        "token_sets ciphertext NO",
                        "token_sets created_at NO",
                        "token_sets expires_at YES",
                        "token_sets fence NO",
                        "token_sets last_used_at YES",
                        "token_sets lease_owner YES",
                        "token_sets lease_until YES",
                        "token_sets resource NO",
                        "token_sets tenant NO",
                        "token_sets updated_at NO",
                        "token_sets user_id NO",
                        "token_sets version NO");
        assertThat(onPostgres)
                .filteredOn(column -> column.startsWith("users "))
                .containsExactly(
                        "users created_at NO",
                        "users email YES",
                        "users email_verified NO",
                        "users groups NO",
                        "users id NO",
                        "users tenant NO");
        assertThat(onPostgres)
                .filteredOn(column -> column.startsWith("identity_bindings "))
                .containsExactly(
                        "identity_bindings created_at NO",
                        "identity_bindings issuer NO",
                        "identity_bindings subject NO",
                        "identity_bindings tenant NO",
                        "identity_bindings user_id NO");
        assertThat(onPostgres)
                .filteredOn(column -> column.startsWith("api_keys "))
                .containsExactly(
                        "api_keys created_at NO",
                        "api_keys expires_at YES",
                        "api_keys hash NO",
                        "api_keys id NO",
                        "api_keys last_used_at YES",
                        "api_keys revoked_at YES",
                        "api_keys scopes NO",
                        "api_keys tenant NO",
                        "api_keys user_id NO");
        assertThat(onPostgres)
                .filteredOn(column -> column.startsWith("deployment_secrets "))
                .containsExactly(
                        "deployment_secrets ciphertext NO",
                        "deployment_secrets created_at NO",
                        "deployment_secrets name NO");
        assertThat(onPostgres)
                .filteredOn(column -> column.startsWith("audit_events "))
                .containsExactly(
                        "audit_events action NO",
                        "audit_events actor NO",
                        "audit_events at NO",
                        "audit_events details NO",
                        "audit_events id NO",
                        "audit_events reason NO",
                        "audit_events tenant NO");
    }

    @Test
    void migrate_h2AndPostgres_recordSameAppliedVersions() throws SQLException {
        // H2 also records the creation of the history table itself, without a version.
        String applied = "SELECT version, description FROM flyway_schema_history"
                + " WHERE version IS NOT NULL AND success ORDER BY installed_rank";

        assertThat(rows(h2, applied))
                .isEqualTo(rows(postgres, applied))
                .containsExactly(
                        "1 token sets and audit",
                        "2 identity and api keys",
                        "3 deployment secrets",
                        "4 connect flows",
                        "5 grant usage",
                        "6 sessions",
                        "7 browser sessions");
    }

    @Test
    void open_alreadyMigrated_isIdempotent() throws SQLException {
        try (Database again = Database.open(postgres.settings())) {
            assertThat(again.healthCheck().check().healthy()).isTrue();
        }
        assertThat(rows(postgres, "SELECT version FROM flyway_schema_history"))
                .containsExactly("1", "2", "3", "4", "5", "6", "7");
    }

    /** Each row's values joined by spaces. */
    private static List<String> rows(TestDatabase database, String query) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection connection = database.dataSource().getConnection();
                Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery(query)) {
            int columns = result.getMetaData().getColumnCount();
            while (result.next()) {
                List<String> values = new ArrayList<>();
                for (int column = 1; column <= columns; column++) {
                    String value = result.getString(column);
                    values.add(
                            "true".equals(value) || "false".equals(value)
                                    ? value.toUpperCase(java.util.Locale.ROOT)
                                    : value);
                }
                rows.add(String.join(" ", values));
            }
        }
        return rows;
    }
}
