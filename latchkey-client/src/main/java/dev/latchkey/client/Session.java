package dev.latchkey.client;

import java.time.Instant;
import java.util.Objects;

/**
 * A Latchkey session: the short-lived bearer {@code token}, the rotating {@code refreshToken}
 * that renews it (each is spent by its use), the {@code user}, and {@code expiresAt}, the moment
 * the bearer expires <em>on this client's clock</em> (the server's expiry shifted by the
 * difference between the server's {@code Date} and the local clock, RFC 9110 §6.6.1). Not {@link
 * java.io.Serializable}; {@link #toString()} prints fingerprints instead of tokens.
 *
 * @param token the bearer sent as {@code Authorization: Bearer}
 * @param refreshToken the single-use refresh token
 * @param user the session's user
 * @param expiresAt when the bearer expires, on the local clock
 */
public record Session(SecretValue token, SecretValue refreshToken, SessionUser user, Instant expiresAt) {

    public Session {
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(refreshToken, "refreshToken");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(expiresAt, "expiresAt");
    }

    @Override
    public String toString() {
        return "Session[user=" + user.id() + ", tenant=" + user.tenant() + ", token=" + token + ", refreshToken="
                + refreshToken + ", expiresAt=" + expiresAt + "]";
    }
}
