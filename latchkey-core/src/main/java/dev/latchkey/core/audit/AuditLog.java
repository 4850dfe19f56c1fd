package dev.latchkey.core.audit;

/**
 * Where audit events go. Implementations are thread-safe and must not throw: failing to audit is
 * reported by the implementation itself and never fails the operation being audited.
 */
public interface AuditLog {
    void record(AuditEvent event);
}
