package dev.latchkey.app.config;

import dev.latchkey.core.secret.Secret;
import java.util.Optional;

/**
 * The database: a JDBC URL of H2 (the embedded default) or PostgreSQL, optional credentials and
 * the connection pool's size. The password is a {@link Secret}; the URL never carries one.
 */
public record DatabaseConfig(String url, Optional<String> user, Optional<Secret> password, int poolSize) {

    /** The database engines Latchkey runs on. */
    public enum Engine {
        H2,
        POSTGRESQL
    }

    /** Rejects URLs of other engines and a pool smaller than one connection. */
    public DatabaseConfig {
        if (!url.startsWith("jdbc:h2:") && !url.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("only jdbc:h2: and jdbc:postgresql: URLs are supported");
        }
        if (poolSize < 1) {
            throw new IllegalArgumentException("poolSize must be at least 1");
        }
    }

    /** Which engine the URL names. */
    public Engine engine() {
        return url.startsWith("jdbc:h2:") ? Engine.H2 : Engine.POSTGRESQL;
    }
}
