package dev.latchkey.server;

import io.javalin.http.Context;
import io.javalin.http.RequestLogger;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;

/**
 * Records {@code http.server.requests} for every answered request, tagged with the method, the
 * status and the route template ({@code route="unmatched"} when no route matched). Every tag value
 * comes from a bounded set, so the number of series stays bounded whatever paths clients send
 * (security case C9-03).
 */
final class HttpServerMetrics implements RequestLogger {
    static final String TIMER = "http.server.requests";

    private final MeterRegistry registry;

    HttpServerMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void handle(Context ctx, Float executionTimeMs) {
        Timer.builder(TIMER)
                .description("HTTP requests answered by Latchkey")
                .tag("method", RequestNames.method(ctx))
                .tag("status", Integer.toString(ctx.statusCode()))
                .tag("route", RequestNames.route(ctx))
                .register(registry)
                .record((long) (executionTimeMs * 1_000_000.0), TimeUnit.NANOSECONDS);
    }
}
