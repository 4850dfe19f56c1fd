package dev.latchkey.testkit;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.Properties;
import org.jspecify.annotations.Nullable;

/**
 * A fresh, empty PostgreSQL database for one test class, dropped again on {@link #close()}. It is
 * created on the server at {@code jdbc:postgresql://127.0.0.1:5432/postgres} as user {@code
 * postgres} (trust authentication), or wherever the environment variables {@code
 * LATCHKEY_TEST_PG_URL} and {@code LATCHKEY_TEST_PG_USER} point. Each instance has a random name,
 * so test classes and parallel builds never share data.
 */
public final class PostgresDatabase implements AutoCloseable {
    private static final String DEFAULT_URL = "jdbc:postgresql://127.0.0.1:5432/postgres";
    private static final String DEFAULT_USER = "postgres";
    private static final String HOW_TO_START =
            "start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"
                    + " (or point LATCHKEY_TEST_PG_URL and LATCHKEY_TEST_PG_USER at another server)";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String adminUrl;
    private final String user;
    private final String name;
    private final String jdbcUrl;

    private PostgresDatabase(String adminUrl, String user, String name) {
        this.adminUrl = adminUrl;
        this.user = user;
        this.name = name;
        this.jdbcUrl = withDatabase(adminUrl, name);
    }

    /**
     * Creates a database named {@code latchkey_test_<random>}.
     *
     * @throws IllegalStateException if PostgreSQL is not reachable, saying how to start it
     */
    public static PostgresDatabase create() {
        String adminUrl = env("LATCHKEY_TEST_PG_URL", DEFAULT_URL);
        String user = env("LATCHKEY_TEST_PG_USER", DEFAULT_USER);
        byte[] suffix = new byte[6];
        RANDOM.nextBytes(suffix);
        PostgresDatabase database = new PostgresDatabase(
                adminUrl, user, "latchkey_test_" + HexFormat.of().formatHex(suffix));
        database.execute("CREATE DATABASE " + database.name);
        return database;
    }

    /** The JDBC URL of the fresh database. */
    public String jdbcUrl() {
        return jdbcUrl;
    }

    /** The user that owns the database. */
    public String user() {
        return user;
    }

    /** The database name, {@code latchkey_test_} and 12 hex digits. */
    public String name() {
        return name;
    }

    /** A new connection to the fresh database, for tests that inspect or alter rows directly. */
    public Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl, credentials(user));
    }

    /** Drops the database, closing any connection a test left open. */
    @Override
    public void close() {
        execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    }

    @Override
    public String toString() {
        return "PostgresDatabase[" + name + "]";
    }

    private void execute(String sql) {
        try (Connection connection = DriverManager.getConnection(adminUrl, credentials(user));
                Statement statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            if (e.getSQLState() != null && e.getSQLState().startsWith("08")) {
                throw new IllegalStateException(
                        "PostgreSQL is not reachable at " + adminUrl + " as user " + user + "; " + HOW_TO_START, e);
            }
            throw new IllegalStateException(
                    "PostgreSQL at " + adminUrl + " refused '" + sql + "' (SQLState " + e.getSQLState() + ")", e);
        }
    }

    private static Properties credentials(String user) {
        Properties properties = new Properties();
        properties.setProperty("user", user);
        return properties;
    }

    /** Replaces the database in {@code jdbc:postgresql://host:port/database?parameters}. */
    private static String withDatabase(String url, String database) {
        int hostStart = url.indexOf("//");
        int pathStart = hostStart < 0 ? -1 : url.indexOf('/', hostStart + 2);
        if (pathStart < 0) {
            throw new IllegalArgumentException("expected jdbc:postgresql://host[:port]/database, got " + url);
        }
        int query = url.indexOf('?', pathStart);
        return url.substring(0, pathStart + 1) + database + (query < 0 ? "" : url.substring(query));
    }

    private static String env(String name, String fallback) {
        @Nullable String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
