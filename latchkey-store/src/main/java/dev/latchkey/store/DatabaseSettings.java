package dev.latchkey.store;

import dev.latchkey.core.secret.Secret;
import java.time.Duration;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * How to reach the database: a JDBC URL ({@code jdbc:h2:...} or {@code jdbc:postgresql://...}),
 * optional credentials, the pool size and how long a caller waits for a connection. Its {@link
 * #toString()} shows the URL without password and never the password.
 *
 * @param url the JDBC URL
 * @param user the user name, absent to use the URL's or the driver's default
 * @param password the password, absent when the database needs none
 * @param poolSize the maximum number of pooled connections, at least 1
 * @param connectionTimeout how long a caller waits for a pooled connection before failing
 */
public record DatabaseSettings(
        String url, @Nullable String user, @Nullable Secret password, int poolSize, Duration connectionTimeout) {
    /** Enough for the default server's virtual threads, as each statement holds a connection briefly. */
    public static final int DEFAULT_POOL_SIZE = 10;

    public static final Duration DEFAULT_CONNECTION_TIMEOUT = Duration.ofSeconds(5);

    /**
     * Validates the settings.
     *
     * @throws IllegalArgumentException naming the setting that is wrong
     */
    public DatabaseSettings {
        if (!url.startsWith("jdbc:h2:") && !url.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("database url must start with jdbc:h2: or jdbc:postgresql:");
        }
        if (poolSize < 1) {
            throw new IllegalArgumentException("database pool size must be at least 1");
        }
        // Hikari refuses less than 250 ms.
        if (connectionTimeout.toMillis() < 250) {
            throw new IllegalArgumentException("database connection timeout must be at least 250 ms");
        }
    }

    /** Settings for a URL with no credentials and the default pool. */
    public static DatabaseSettings of(String url) {
        return new DatabaseSettings(url, null, null, DEFAULT_POOL_SIZE, DEFAULT_CONNECTION_TIMEOUT);
    }

    public DatabaseSettings withCredentials(String user, @Nullable Secret password) {
        return new DatabaseSettings(url, user, password, poolSize, connectionTimeout);
    }

    public DatabaseSettings withPoolSize(int size) {
        return new DatabaseSettings(url, user, password, size, connectionTimeout);
    }

    public DatabaseSettings withConnectionTimeout(Duration timeout) {
        return new DatabaseSettings(url, user, password, poolSize, timeout);
    }

    public Optional<String> userIfAny() {
        return Optional.ofNullable(user);
    }

    public Optional<Secret> passwordIfAny() {
        return Optional.ofNullable(password);
    }

    /** Whether this is an embedded or server H2 database (else PostgreSQL). */
    public boolean isH2() {
        return url.startsWith("jdbc:h2:");
    }

    /** The URL with any password parameter masked, fit for logs and messages. */
    public String displayUrl() {
        return JdbcUrls.withoutPassword(url);
    }

    @Override
    public String toString() {
        return "DatabaseSettings[url=" + displayUrl() + ", user=" + user + ", password="
                + (password == null ? "none" : "****") + ", poolSize=" + poolSize + ", connectionTimeout="
                + connectionTimeout + "]";
    }
}
