package dev.latchkey.client;

import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Latchkey refused a one-time code ({@code 400}/{@code 401} {@code invalid_grant} or {@code
 * invalid_request}): unknown, expired, already redeemed, or issued for another tenant or origin.
 * Codes are single use (RFC 6749 §4.1.2), so the user must start the sign-in again.
 */
public final class CodeRejectedException extends LatchkeyException {
    private static final long serialVersionUID = 1L;
    private final String error;
    private final @Nullable String description;

    CodeRejectedException(int status, String error, @Nullable String description) {
        super("Latchkey rejected the one-time code (" + status + " " + quoted(error)
                + (description == null ? "" : ": " + quoted(description))
                + ")");
        this.error = error;
        this.description = description;
    }

    /** {@code invalid_grant} or {@code invalid_request}. */
    public String error() {
        return error;
    }

    public Optional<String> description() {
        return Optional.ofNullable(description);
    }
}
