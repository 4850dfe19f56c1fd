package dev.latchkey.core.grant;

import java.time.Duration;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * What one call to a token endpoint with a refresh token produced. The taxonomy decides what
 * happens to the grant: only {@link Terminal} ends it; {@link Transient} never does.
 */
public sealed interface RefreshOutcome {

    /** The server issued new tokens. */
    record Refreshed(TokenSet tokens) implements RefreshOutcome {}

    /**
     * The server refused the grant for good ({@code invalid_grant}, {@code invalid_client},
     * {@code unauthorized_client}): the user must authorize again.
     *
     * @param error the OAuth error code, never a token
     */
    record Terminal(String error) implements RefreshOutcome {}

    /**
     * The refresh failed for now (timeout, connection error, 429, 5xx, malformed answer); a later
     * attempt may succeed.
     *
     * @param reason a short machine-readable reason, never a token
     * @param retryAfter how long the server asked to wait, absent when it did not say
     */
    record Transient(String reason, @Nullable Duration retryAfter) implements RefreshOutcome {
        /** How long the server asked to wait, if it said. */
        public Optional<Duration> retryAfterIfAny() {
            return Optional.ofNullable(retryAfter);
        }
    }
}
