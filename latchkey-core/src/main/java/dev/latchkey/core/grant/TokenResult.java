package dev.latchkey.core.grant;

import java.time.Duration;

/** What a caller asking the {@link RefreshCoordinator} for a token gets. */
public sealed interface TokenResult {

    /** A token set believed to be usable, as stored. */
    record Fresh(VersionedTokenSet grant) implements TokenResult {}

    /**
     * No usable grant exists (none stored, unreadable, no refresh token, or refused by the server):
     * the user must authorize again.
     *
     * @param reason a short machine-readable reason, never a token
     */
    record AuthorizationRequired(String reason) implements TokenResult {}

    /** The grant is kept, but no usable token can be had now; try again after {@code retryAfter}. */
    record TemporarilyUnavailable(Duration retryAfter) implements TokenResult {}
}
