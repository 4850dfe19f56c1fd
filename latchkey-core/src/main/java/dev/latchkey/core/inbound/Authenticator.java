package dev.latchkey.core.inbound;

/**
 * Turns presented credentials into a principal or a typed refusal. Implementations are
 * thread-safe, never throw for any input (however hostile), and never call out for a credential
 * that is malformed.
 */
public interface Authenticator {

    /**
     * Authenticates, and requires {@code requiredScopes} of the principal (empty: none).
     */
    AuthOutcome authenticate(Credentials credentials, java.util.Set<String> requiredScopes);
}
