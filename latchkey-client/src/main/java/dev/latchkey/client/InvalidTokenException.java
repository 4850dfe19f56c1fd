package dev.latchkey.client;

import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Latchkey refused the session's bearer ({@code 401}, RFC 6750 §3.1 {@code invalid_token}) even
 * after the client refreshed it and retried once. Carries the challenge's error code and
 * description, never the token.
 */
public final class InvalidTokenException extends LatchkeyException {
    private static final long serialVersionUID = 1L;
    private final @Nullable String error;
    private final @Nullable String description;

    InvalidTokenException(@Nullable String error, @Nullable String description) {
        super("Latchkey refused the session token (401"
                + (error == null ? "" : " " + quoted(error))
                + (description == null ? "" : ": " + quoted(description))
                + ")");
        this.error = error;
        this.description = description;
    }

    /** The challenge's {@code error}, usually {@code invalid_token}; empty when it named none. */
    public Optional<String> error() {
        return Optional.ofNullable(error);
    }

    /** The challenge's {@code error_description}, as the server wrote it. */
    public Optional<String> description() {
        return Optional.ofNullable(description);
    }
}
