package dev.latchkey.core.session;

import java.time.Duration;

/**
 * Lifetimes of Latchkey's own session credentials.
 *
 * @param accessTokenLifetime how long a minted access token is valid (short: it cannot be recalled
 *     before it expires except through its family's revocation check)
 * @param codeLifetime how long a one-time code may wait for its exchange (at most 60 s)
 * @param refreshIdle a family unused for this long is dead (RFC 9700 §4.14.2)
 * @param refreshAbsolute a family older than this is dead, however recently rotated
 * @param reuseGrace how long after a rotation the same client may present the spent token again
 *     and get the same answer (a lost response), instead of revoking the family
 */
public record SessionSettings(
        Duration accessTokenLifetime,
        Duration codeLifetime,
        Duration refreshIdle,
        Duration refreshAbsolute,
        Duration reuseGrace) {

    /** Five-minute access tokens, 60 s codes, 7 days idle, 30 days absolute, 10 s grace. */
    public static final SessionSettings DEFAULTS = new SessionSettings(
            Duration.ofMinutes(5),
            Duration.ofSeconds(60),
            Duration.ofDays(7),
            Duration.ofDays(30),
            Duration.ofSeconds(10));

    /**
     * Checks the bounds.
     *
     * @throws IllegalArgumentException naming the setting that is out of bounds
     */
    public SessionSettings {
        positive("accessTokenLifetime", accessTokenLifetime);
        positive("codeLifetime", codeLifetime);
        positive("refreshIdle", refreshIdle);
        positive("refreshAbsolute", refreshAbsolute);
        if (codeLifetime.compareTo(Duration.ofSeconds(60)) > 0) {
            throw new IllegalArgumentException("codeLifetime must be at most 60 seconds");
        }
        if (reuseGrace.isNegative() || reuseGrace.compareTo(Duration.ofMinutes(1)) > 0) {
            throw new IllegalArgumentException("reuseGrace must be between 0 and 1 minute");
        }
        if (refreshIdle.compareTo(refreshAbsolute) > 0) {
            throw new IllegalArgumentException("refreshIdle must not exceed refreshAbsolute");
        }
    }

    private static void positive(String name, Duration value) {
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive");
        }
    }
}
