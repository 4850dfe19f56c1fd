package dev.latchkey.store;

import dev.latchkey.core.health.DependencyUnavailableException;

/**
 * A store operation failed because the database did not answer or refused the statement. The
 * message names the operation and the SQLState only: never SQL values, tokens or credentials.
 * Callers treat it as transient (retryable 503), never as "no grant".
 */
public final class StoreUnavailableException extends DependencyUnavailableException {
    private static final long serialVersionUID = 1L;

    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
