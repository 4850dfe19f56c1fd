package dev.latchkey.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.latchkey.core.health.HealthCheck;
import dev.latchkey.core.secret.Secret;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.jspecify.annotations.Nullable;

/**
 * An open database: a HikariCP pool with the schema migrated to the latest version by Flyway. The
 * same SQL runs on H2 and PostgreSQL because H2 URLs are opened in PostgreSQL mode. An embedded H2
 * file stays locked to this process while it is open.
 *
 * <p>Opening fails fast with a {@link DatabaseUnavailableException} when the database cannot be
 * reached or migrated. Once open, the pool survives outages: statements fail with {@link
 * StoreUnavailableException} while the database is down, and the pool reconnects by itself when it
 * is back. Thread-safe.
 */
public final class Database implements AutoCloseable {
    private static final String MIGRATIONS = "classpath:db/migration";

    private final HikariDataSource pool;
    private final String displayUrl;

    private Database(HikariDataSource pool, String displayUrl) {
        this.pool = pool;
        this.displayUrl = displayUrl;
    }

    /**
     * Opens the pool and migrates the schema.
     *
     * @throws DatabaseUnavailableException naming the URL (without password) and what failed
     */
    public static Database open(DatabaseSettings settings) {
        String displayUrl = settings.displayUrl();
        HikariDataSource pool = new HikariDataSource(poolConfig(settings));
        try {
            // Borrowing one connection tells "cannot connect" apart from "cannot migrate".
            try (Connection connection = pool.getConnection()) {
                connection.getMetaData();
            } catch (SQLException e) {
                throw unavailable(settings, "cannot connect", e);
            }
            try {
                Flyway.configure(Database.class.getClassLoader())
                        .dataSource(pool)
                        .locations(MIGRATIONS)
                        .failOnMissingLocations(true)
                        .load()
                        .migrate();
            } catch (FlywayException e) {
                throw unavailable(settings, "schema migration failed", e);
            }
            return new Database(pool, displayUrl);
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
    }

    /** The pooled connections; each borrowed connection is in autocommit mode. */
    public DataSource dataSource() {
        return pool;
    }

    /** The readiness check of this database, named {@code database}. */
    public HealthCheck healthCheck() {
        return new DatabaseHealthCheck(pool);
    }

    /** The JDBC URL with any password masked. */
    public String displayUrl() {
        return displayUrl;
    }

    /** Closes every pooled connection; an embedded H2 file is unlocked. */
    @Override
    public void close() {
        pool.close();
    }

    @Override
    public String toString() {
        return "Database[" + displayUrl + "]";
    }

    private static HikariConfig poolConfig(DatabaseSettings settings) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("latchkey-db");
        config.setJdbcUrl(settings.isH2() ? JdbcUrls.forH2(settings.url()) : settings.url());
        settings.userIfAny().ifPresent(config::setUsername);
        settings.passwordIfAny().map(Secret::reveal).ifPresent(config::setPassword);
        config.setMaximumPoolSize(settings.poolSize());
        config.setConnectionTimeout(settings.connectionTimeout().toMillis());
        config.setAutoCommit(true);
        // Negative: building the pool never fails; it keeps trying to connect in the background, so
        // a database that comes back after an outage is used again without a restart.
        config.setInitializationFailTimeout(-1);
        return config;
    }

    private static DatabaseUnavailableException unavailable(DatabaseSettings settings, String what, Exception failure) {
        return new DatabaseUnavailableException(
                "database " + settings.displayUrl() + " is unavailable: " + what + ": " + describe(settings, failure));
    }

    /** The innermost cause's message, with the password masked in case a driver echoes it. */
    private static String describe(DatabaseSettings settings, Throwable failure) {
        Throwable root = failure;
        @Nullable SQLException sql = failure instanceof SQLException e ? e : null;
        // Bounded: a cause chain may loop.
        for (int depth = 0; depth < 16; depth++) {
            @Nullable Throwable cause = root.getCause();
            if (cause == null) {
                break;
            }
            root = cause;
            if (root instanceof SQLException e) {
                sql = e;
            }
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        @Nullable Secret password = settings.password();
        if (password != null) {
            message = message.replace(password.reveal(), "****");
        }
        message = JdbcUrls.withoutPassword(message);
        return sql != null && sql.getSQLState() != null ? message + " (SQLState " + sql.getSQLState() + ")" : message;
    }
}
