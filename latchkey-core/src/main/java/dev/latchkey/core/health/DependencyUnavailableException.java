package dev.latchkey.core.health;

/**
 * Something Latchkey needs to answer — its database, above all — cannot be reached right now. The
 * request may succeed when retried, so it is answered {@code 503} with {@code Retry-After}, never
 * {@code 500} and never "allow" (security case F-05). Adapters throw subclasses; messages name the
 * operation and a code, never data.
 */
public class DependencyUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public DependencyUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
