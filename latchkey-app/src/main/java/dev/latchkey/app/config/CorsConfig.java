package dev.latchkey.app.config;

import java.util.List;

/**
 * The exact origins (scheme, host and non-default port, lower case, no path) allowed to call a
 * tenant's session endpoints from a browser. Never a wildcard and never {@code null}.
 */
public record CorsConfig(List<String> allowedOrigins) {

    /** Copies the origins. */
    public CorsConfig {
        allowedOrigins = List.copyOf(allowedOrigins);
    }
}
