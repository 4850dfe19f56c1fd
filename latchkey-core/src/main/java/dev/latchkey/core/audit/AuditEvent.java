package dev.latchkey.core.audit;

import dev.latchkey.core.tenant.TenantId;
import java.time.Instant;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * One audit record: in which tenant, who (actor), did or suffered what (action), with which
 * outcome code (reason), plus non-secret details such as a resource name or a token fingerprint.
 * Action and reason are fixed lower-case codes, never request-supplied text.
 */
public record AuditEvent(
        Instant at, TenantId tenant, String actor, String action, String reason, Map<String, String> details) {
    private static final Pattern CODE = Pattern.compile("[a-z][a-z0-9_.]{0,63}");

    public AuditEvent {
        if (!CODE.matcher(action).matches() || !CODE.matcher(reason).matches()) {
            throw new IllegalArgumentException("audit action and reason must be fixed lower-case codes");
        }
        details = Map.copyOf(details);
    }
}
