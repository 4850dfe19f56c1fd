package dev.latchkey.app.config;

import java.time.Duration;

/**
 * How downstream grants are refreshed: the deadline of every refresh (a caller waits no longer,
 * refresh included), and whether and how eagerly grants used recently are refreshed in the
 * background before they expire. Proactive refreshes start no faster than {@code ratePerSecond}
 * per replica, at most {@code concurrency} at once; grants unused for {@code idleLimit} are left
 * to expire.
 */
public record RefreshConfig(
        Duration deadline, boolean proactive, Duration window, Duration idleLimit, int ratePerSecond, int concurrency) {
    public static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(10);
    public static final Duration MIN_DEADLINE = Duration.ofSeconds(1);
    public static final Duration MAX_DEADLINE = Duration.ofMinutes(2);
    public static final Duration DEFAULT_WINDOW = Duration.ofMinutes(5);
    // A run every 30 s must see each due grant at least once before its token expires.
    public static final Duration MIN_WINDOW = Duration.ofSeconds(30);
    public static final Duration MAX_WINDOW = Duration.ofHours(1);
    public static final Duration DEFAULT_IDLE_LIMIT = Duration.ofHours(24);
    public static final Duration MIN_IDLE_LIMIT = Duration.ofMinutes(1);
    public static final Duration MAX_IDLE_LIMIT = Duration.ofDays(30);
    public static final int DEFAULT_RATE_PER_SECOND = 20;
    public static final int MAX_RATE_PER_SECOND = 1000;
    public static final int DEFAULT_CONCURRENCY = 4;
    public static final int MAX_CONCURRENCY = 64;

    /** Rejects values outside the documented bounds. */
    public RefreshConfig {
        requireWithin("deadline", deadline, MIN_DEADLINE, MAX_DEADLINE);
        requireWithin("window", window, MIN_WINDOW, MAX_WINDOW);
        requireWithin("idleLimit", idleLimit, MIN_IDLE_LIMIT, MAX_IDLE_LIMIT);
        if (ratePerSecond < 1 || ratePerSecond > MAX_RATE_PER_SECOND) {
            throw new IllegalArgumentException("ratePerSecond must be between 1 and " + MAX_RATE_PER_SECOND);
        }
        if (concurrency < 1 || concurrency > MAX_CONCURRENCY) {
            throw new IllegalArgumentException("concurrency must be between 1 and " + MAX_CONCURRENCY);
        }
    }

    /** Every default: a 10 s deadline, proactive refresh within 5 minutes of expiry, 24 h idle limit. */
    public static RefreshConfig defaults() {
        return new RefreshConfig(
                DEFAULT_DEADLINE,
                true,
                DEFAULT_WINDOW,
                DEFAULT_IDLE_LIMIT,
                DEFAULT_RATE_PER_SECOND,
                DEFAULT_CONCURRENCY);
    }

    private static void requireWithin(String name, Duration value, Duration min, Duration max) {
        if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
            throw new IllegalArgumentException(name + " must be between " + min + " and " + max);
        }
    }
}
