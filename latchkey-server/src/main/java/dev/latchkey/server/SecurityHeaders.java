package dev.latchkey.server;

import jakarta.servlet.http.HttpServletResponse;
import java.util.Map;

/** The fixed security headers, shared by the servlet filter and Jetty's own error answers. */
final class SecurityHeaders {
    // RFC 6749 §5.1 and RFC 9111 §5.2.2.5: responses with tokens must not be stored by caches.
    static final Map<String, String> ALL = Map.of(
            "X-Content-Type-Options", "nosniff",
            "Referrer-Policy", "no-referrer",
            "Cache-Control", "no-store");

    private SecurityHeaders() {}

    static void applyTo(HttpServletResponse response) {
        ALL.forEach(response::setHeader);
    }
}
