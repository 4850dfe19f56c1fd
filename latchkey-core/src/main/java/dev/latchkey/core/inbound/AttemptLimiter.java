package dev.latchkey.core.inbound;

import java.time.Duration;
import java.util.Optional;

/**
 * Counts failed attempts per {@link AttemptKey} and says when a key has had too many, so that
 * guessing (of API keys, C2-10) is refused before it costs a lookup. Implementations are
 * thread-safe, bounded in memory, and never throw for any key.
 */
public interface AttemptLimiter {

    /**
     * Whether attempts of {@code key} are refused now, and if so for how long still (always
     * positive). Counts nothing.
     */
    Optional<Duration> blockedFor(AttemptKey key);

    /**
     * Counts one failed attempt of {@code key}. True for exactly the one failure that reached the
     * limit in its window (also among concurrent callers), so that reaching it is reported once.
     */
    boolean recordFailure(AttemptKey key);
}
