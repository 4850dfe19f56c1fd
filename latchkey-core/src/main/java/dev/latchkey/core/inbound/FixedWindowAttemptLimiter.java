package dev.latchkey.core.inbound;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.latchkey.core.tenant.TenantId;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.ToIntFunction;

/**
 * An {@link AttemptLimiter} in memory with fixed windows: a key's window opens at its first failure
 * and lasts {@code window}; once the key has had its tenant's maximum of failures in the window,
 * its attempts are refused until the window ends, and the next failure after that opens a new
 * window. Successes neither count nor reset (a caller holding one valid key cannot launder
 * guesses between its uses).
 *
 * <p>Memory is bounded: at most {@code maxTrackedKeys} keys are remembered (least recently used
 * ones are dropped first, which can only let a dropped client start afresh), and a key is
 * forgotten once its window has passed. Windows are judged by the clock given here; the cache's
 * own expiry only frees memory. The counts live in this process: with several replicas behind a
 * load balancer that does not pin clients, a client may reach up to the limit on each replica.
 * Thread-safe.
 */
public final class FixedWindowAttemptLimiter implements AttemptLimiter {
    private final ToIntFunction<TenantId> maxFailures;
    private final Duration window;
    private final Clock clock;
    private final Cache<AttemptKey, Window> windows;

    private record Window(Instant start, int failures) {}

    /**
     * @param maxFailures the failures a client may have per window in a tenant; asked on every
     *     call, so a changed limit applies at once; values below 1 count as 1
     * @param window how long a window lasts, positive
     * @param maxTrackedKeys how many (tenant, client) keys are remembered at most, at least 1
     * @throws IllegalArgumentException naming the option that is out of range
     */
    public FixedWindowAttemptLimiter(
            ToIntFunction<TenantId> maxFailures, Duration window, long maxTrackedKeys, Clock clock) {
        if (window.isZero() || window.isNegative()) {
            throw new IllegalArgumentException("window must be positive");
        }
        if (maxTrackedKeys < 1) {
            throw new IllegalArgumentException("maxTrackedKeys must be at least 1");
        }
        this.maxFailures = maxFailures;
        this.window = window;
        this.clock = clock;
        this.windows = Caffeine.newBuilder()
                .maximumSize(maxTrackedKeys)
                .expireAfterWrite(window)
                // Evict on the caller's thread: the bound holds when recordFailure returns, not later.
                .executor(Runnable::run)
                .build();
    }

    @Override
    public Optional<Duration> blockedFor(AttemptKey key) {
        Window current = windows.getIfPresent(key);
        if (current == null) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        Instant end = current.start().plus(window);
        if (!now.isBefore(end) || current.failures() < limit(key)) {
            return Optional.empty();
        }
        return Optional.of(Duration.between(now, end));
    }

    @Override
    public boolean recordFailure(AttemptKey key) {
        Instant now = clock.instant();
        int limit = limit(key);
        AtomicBoolean reached = new AtomicBoolean();
        windows.asMap().compute(key, (k, current) -> {
            Window next = current == null || !now.isBefore(current.start().plus(window))
                    ? new Window(now, 1)
                    : new Window(current.start(), saturatedIncrement(current.failures()));
            reached.set(next.failures() == limit);
            return next;
        });
        return reached.get();
    }

    private int limit(AttemptKey key) {
        return Math.max(1, maxFailures.applyAsInt(key.tenant()));
    }

    private static int saturatedIncrement(int failures) {
        return failures == Integer.MAX_VALUE ? failures : failures + 1;
    }

    @Override
    public String toString() {
        return "FixedWindowAttemptLimiter[window=" + window + "]";
    }
}
