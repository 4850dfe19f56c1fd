package dev.latchkey.client;

import java.time.Duration;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Latchkey answered {@code 503 temporarily_unavailable}: an identity provider it depends on
 * failed transiently. The session and any grant are kept; try again after {@link #retryAfter()}.
 */
public final class TemporarilyUnavailableException extends LatchkeyException {
    private static final long serialVersionUID = 1L;
    private final @Nullable Duration retryAfter;

    TemporarilyUnavailableException(@Nullable Duration retryAfter) {
        super("Latchkey is temporarily unavailable (503"
                + (retryAfter == null ? "" : ", retry after " + retryAfter.toSeconds() + " s")
                + ")");
        this.retryAfter = retryAfter;
    }

    /** The server's {@code Retry-After} (RFC 9110 §10.2.3), when it sent a readable one. */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
