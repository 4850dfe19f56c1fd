package dev.latchkey.server;

import dev.latchkey.core.health.HealthCheck.Status;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * {@code GET /health/live} and {@code GET /health/ready}. Liveness answers a bare {@code
 * {"status":"up"}} with no versions or details (security case C9-04); readiness runs the checks
 * through a bounded {@link ReadinessProbe} and answers 503 when any check is down or the server is
 * draining, so a load balancer stops sending traffic before the listener closes.
 */
final class HealthEndpoints {
    private final ReadinessProbe probe;
    private final BooleanSupplier draining;

    HealthEndpoints(ReadinessProbe probe, BooleanSupplier draining) {
        this.probe = probe;
        this.draining = draining;
    }

    void live(Context ctx) {
        ctx.json(new StatusBody("up"));
    }

    void ready(Context ctx) {
        if (draining.getAsBoolean()) {
            ctx.status(503).json(new StatusBody("draining"));
            return;
        }
        Map<String, Status> statuses = probe.run();
        Map<String, CheckBody> checks = new LinkedHashMap<>();
        boolean allHealthy = true;
        for (Map.Entry<String, Status> entry : statuses.entrySet()) {
            Status status = entry.getValue();
            checks.put(entry.getKey(), new CheckBody(status.healthy(), status.detail()));
            allHealthy &= status.healthy();
        }
        ctx.status(allHealthy ? 200 : 503).json(new ReadyBody(allHealthy ? "ready" : "not_ready", checks));
    }

    record StatusBody(String status) {}

    record CheckBody(boolean healthy, String detail) {}

    record ReadyBody(String status, Map<String, CheckBody> checks) {}
}
