package dev.latchkey.app;

import dev.latchkey.core.audit.AuditEvent;
import dev.latchkey.core.audit.AuditLog;
import dev.latchkey.core.grant.GrantKey;
import dev.latchkey.core.grant.RefreshCoordinator;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.Map;

/**
 * Every refresh outcome as a metric ({@code latchkey.refresh.outcomes} by outcome and a bounded
 * reason, never a token or a user) and as an audit event of the grant's tenant and user.
 */
final class RefreshEvents implements RefreshCoordinator.Listener {
    private final MeterRegistry metrics;
    private final AuditLog audit;
    private final Clock clock;

    RefreshEvents(MeterRegistry metrics, AuditLog audit, Clock clock) {
        this.metrics = metrics;
        this.audit = audit;
        this.clock = clock;
    }

    @Override
    public void refreshed(GrantKey key) {
        record(key, "refreshed", "none");
    }

    @Override
    public void lostRace(GrantKey key) {
        record(key, "lost_race", "none");
    }

    @Override
    public void terminal(GrantKey key, String error) {
        record(key, "terminal", error);
    }

    @Override
    public void transientFailure(GrantKey key, String reason) {
        record(key, "transient", reason);
    }

    @Override
    public void waitExpired(GrantKey key) {
        record(key, "wait_expired", "none");
    }

    @Override
    public void lateAnswer(GrantKey key, boolean stored) {
        record(key, "late_answer", stored ? "stored" : "discarded");
    }

    private void record(GrantKey key, String outcome, String reason) {
        String bounded = reason.matches("[a-z][a-z0-9_]{0,39}") ? reason : "other";
        metrics.counter("latchkey.refresh.outcomes", "outcome", outcome, "reason", bounded)
                .increment();
        audit.record(new AuditEvent(
                clock.instant(),
                key.tenant(),
                key.user().value(),
                "grant.refresh",
                outcome,
                "none".equals(bounded)
                        ? Map.of("resource", key.resource().value())
                        : Map.of("resource", key.resource().value(), "reason", bounded)));
    }
}
