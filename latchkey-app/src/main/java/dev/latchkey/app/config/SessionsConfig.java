package dev.latchkey.app.config;

import dev.latchkey.core.session.SessionSettings;
import java.time.Duration;

/**
 * Lifetimes of Latchkey's own sessions: the access tokens it mints, the refresh-token families of
 * cross-origin panels (idle and absolute limits, the grace window for a retried rotation), and the
 * browser sessions of its login (idle and absolute limits).
 */
public record SessionsConfig(
        Duration accessTokenLifetime,
        Duration refreshIdle,
        Duration refreshAbsolute,
        Duration reuseGrace,
        Duration browserIdle,
        Duration browserAbsolute) {
    public static final Duration DEFAULT_ACCESS_TOKEN_LIFETIME = Duration.ofMinutes(5);
    public static final Duration MIN_ACCESS_TOKEN_LIFETIME = Duration.ofSeconds(10);
    public static final Duration MAX_ACCESS_TOKEN_LIFETIME = Duration.ofHours(1);
    public static final Duration DEFAULT_REFRESH_IDLE = Duration.ofDays(7);
    public static final Duration DEFAULT_REFRESH_ABSOLUTE = Duration.ofDays(30);
    public static final Duration MIN_LIFETIME = Duration.ofMinutes(1);
    public static final Duration MAX_LIFETIME = Duration.ofDays(365);
    public static final Duration DEFAULT_REUSE_GRACE = Duration.ofSeconds(10);
    public static final Duration MAX_REUSE_GRACE = Duration.ofMinutes(1);
    public static final Duration DEFAULT_BROWSER_IDLE = Duration.ofHours(12);
    public static final Duration DEFAULT_BROWSER_ABSOLUTE = Duration.ofDays(7);

    /**
     * Checks that idle limits do not exceed absolute ones.
     *
     * @throws IllegalArgumentException naming the setting
     */
    public SessionsConfig {
        if (refreshIdle.compareTo(refreshAbsolute) > 0) {
            throw new IllegalArgumentException("refreshIdle must not exceed refreshAbsolute");
        }
        if (browserIdle.compareTo(browserAbsolute) > 0) {
            throw new IllegalArgumentException("browserIdle must not exceed browserAbsolute");
        }
    }

    /** Every default. */
    public static SessionsConfig defaults() {
        return new SessionsConfig(
                DEFAULT_ACCESS_TOKEN_LIFETIME,
                DEFAULT_REFRESH_IDLE,
                DEFAULT_REFRESH_ABSOLUTE,
                DEFAULT_REUSE_GRACE,
                DEFAULT_BROWSER_IDLE,
                DEFAULT_BROWSER_ABSOLUTE);
    }

    /** The core's view of these lifetimes (one-time codes live the fixed 60 s). */
    public SessionSettings settings() {
        return new SessionSettings(
                accessTokenLifetime, Duration.ofSeconds(60), refreshIdle, refreshAbsolute, reuseGrace);
    }
}
