package dev.latchkey.app.config;

import java.net.URI;
import java.time.Duration;

/**
 * The HTTP listener: the address and port to bind, the URL under which browsers and IdPs reach
 * Latchkey (redirect URIs are built from it), how long a shutdown waits for requests in flight, and
 * whether the client address is taken from {@code X-Forwarded-For} (only behind one trusted reverse
 * proxy). Port 0 asks the operating system for a free port.
 *
 * @param trustForwardedFor whether a request's client (for the failed API-key attempt limit) is the
 *     last address in {@code X-Forwarded-For}, as the reverse proxy in front of Latchkey saw it,
 *     instead of the socket's peer address
 */
public record ServerConfig(String host, int port, URI publicUrl, Duration drainTimeout, boolean trustForwardedFor) {

    /** Rejects a port outside 0-65535 and a negative drain timeout. */
    public ServerConfig {
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be between 0 and 65535");
        }
        if (drainTimeout.isNegative()) {
            throw new IllegalArgumentException("drainTimeout must not be negative");
        }
    }

    /** Not trusting {@code X-Forwarded-For}. */
    public ServerConfig(String host, int port, URI publicUrl, Duration drainTimeout) {
        this(host, port, publicUrl, drainTimeout, false);
    }
}
