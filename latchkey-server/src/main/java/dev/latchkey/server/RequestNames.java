package dev.latchkey.server;

import io.javalin.http.Context;
import io.javalin.router.Endpoint;
import java.util.Locale;
import java.util.Set;

/**
 * The bounded names under which a request is logged and measured: the route template (never the
 * raw path, which carries ids and tokens) and a method from a fixed set (a client can send any
 * token as a method). Keeps metric cardinality bounded whatever the traffic.
 */
final class RequestNames {
    static final String UNMATCHED = "unmatched";
    private static final Set<String> METHODS =
            Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT", "QUERY");

    private RequestNames() {}

    static String route(Context ctx) {
        Endpoint endpoint = ctx.endpoints().matchedHttpEndpoint();
        // Javalin documents a null endpoint for 404/405; guard the empty placeholder path as well.
        if (endpoint == null || endpoint.path.isEmpty()) {
            return UNMATCHED;
        }
        return endpoint.path;
    }

    static String method(Context ctx) {
        String method = ctx.req().getMethod().toUpperCase(Locale.ROOT);
        return METHODS.contains(method) ? method : "OTHER";
    }
}
