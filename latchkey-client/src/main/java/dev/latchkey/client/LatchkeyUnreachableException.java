package dev.latchkey.client;

/**
 * The call did not get an answer: connection refused or reset, timeout, TLS handshake failure
 * (an untrusted certificate or a wrong host name — the SDK never turns verification off), or the
 * calling thread was interrupted. The session is kept; the cause says what failed.
 */
public final class LatchkeyUnreachableException extends LatchkeyException {
    private static final long serialVersionUID = 1L;

    LatchkeyUnreachableException(String message, Throwable cause) {
        super(message, cause);
    }
}
