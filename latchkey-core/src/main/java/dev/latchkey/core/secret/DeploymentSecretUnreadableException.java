package dev.latchkey.core.secret;

/**
 * A deployment secret exists but does not open with the configured keyset: the key that sealed it
 * was removed or disabled, or the row was altered. Latchkey must not start then, because replacing
 * the secret would silently invalidate everything derived from it (every API key, for the pepper).
 * The message names the secret and never contains key material.
 */
public final class DeploymentSecretUnreadableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public DeploymentSecretUnreadableException(String message, Throwable cause) {
        super(message, cause);
    }
}
