package dev.latchkey.app.config;

import java.net.URI;
import java.time.Duration;

/**
 * The HTTP listener: the address and port to bind, the URL under which browsers and IdPs reach
 * Latchkey (redirect URIs are built from it), and how long a shutdown waits for requests in flight.
 * Port 0 asks the operating system for a free port.
 */
public record ServerConfig(String host, int port, URI publicUrl, Duration drainTimeout) {

    /** Rejects a port outside 0-65535 and a negative drain timeout. */
    public ServerConfig {
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be between 0 and 65535");
        }
        if (drainTimeout.isNegative()) {
            throw new IllegalArgumentException("drainTimeout must not be negative");
        }
    }
}
