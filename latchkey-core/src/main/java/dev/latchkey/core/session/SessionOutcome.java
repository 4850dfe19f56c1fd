package dev.latchkey.core.session;

import dev.latchkey.core.identity.User;
import dev.latchkey.core.secret.Secret;
import java.time.Instant;

/** What an exchange or a refresh of a Latchkey session produced. */
public sealed interface SessionOutcome {

    /**
     * A session credential pair: a short-lived access token and the family's next refresh token.
     *
     * @param expiresAt when {@code token} expires
     */
    record Issued(Secret token, Secret refreshToken, User user, Instant expiresAt) implements SessionOutcome {}

    /**
     * Refused, with an RFC 6749 §5.2 error code ({@code invalid_grant} for every credential problem,
     * so a caller learns nothing about which check failed) and a short description.
     */
    record Refused(String error, String description) implements SessionOutcome {}
}
