package dev.latchkey.client;

import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Latchkey (or something in front of it) answered outside the contract the SDK speaks: a status
 * the endpoint does not document, a redirect (never followed: it would carry credentials to
 * wherever it points, RFC 9700 §4.12), or a body that is not the documented JSON. The message
 * names the status and the error code, never a body that could hold a token.
 */
public final class UnexpectedResponseException extends LatchkeyException {
    private static final long serialVersionUID = 1L;
    private final int status;
    private final @Nullable String error;

    UnexpectedResponseException(String message, int status, @Nullable String error) {
        super(message);
        this.status = status;
        this.error = error;
    }

    /** The HTTP status of the answer. */
    public int status() {
        return status;
    }

    /** The {@code error} member of a JSON error body, when there was one. */
    public Optional<String> error() {
        return Optional.ofNullable(error);
    }
}
