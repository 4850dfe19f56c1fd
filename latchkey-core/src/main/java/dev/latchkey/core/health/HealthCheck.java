package dev.latchkey.core.health;

/**
 * One readiness check (database reachable, key material usable). Implementations are
 * thread-safe, finish quickly (they bound their own wait) and never throw.
 */
public interface HealthCheck {

    /** A short stable name, e.g. {@code database}; used as a JSON key and metric tag. */
    String name();

    Status check();

    /** The result of a check: healthy or not, with a short non-secret detail. */
    record Status(boolean healthy, String detail) {
        public static Status up(String detail) {
            return new Status(true, detail);
        }

        public static Status down(String detail) {
            return new Status(false, detail);
        }
    }
}
