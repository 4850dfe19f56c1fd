package dev.latchkey.server;

import io.javalin.http.Context;
import io.javalin.http.RequestLogger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One INFO line per request on the {@code latchkey.access} logger, with method, route template,
 * status and duration as key/value pairs; the request id comes from the MDC. The query string,
 * headers and body are never logged: they carry codes, tokens and cookies (security case C9-01).
 */
final class AccessLog implements RequestLogger {
    static final String LOGGER = "latchkey.access";
    private static final Logger LOG = LoggerFactory.getLogger(LOGGER);

    @Override
    public void handle(Context ctx, Float executionTimeMs) {
        String method = RequestNames.method(ctx);
        String route = RequestNames.route(ctx);
        int status = ctx.statusCode();
        double durationMs = Math.round(executionTimeMs * 1000.0) / 1000.0;
        LOG.atInfo()
                .addKeyValue("method", method)
                .addKeyValue("route", route)
                .addKeyValue("status", status)
                .addKeyValue("duration_ms", durationMs)
                .log("{} {} {} {}ms", method, route, status, durationMs);
    }
}
