package dev.latchkey.core.grant;

import dev.latchkey.core.secret.Secret;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongUnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * A {@link TokenEndpoint} decorator that tries a refresh again after a transient failure — but only
 * when the server surely did not act on it: the request never reached it ({@link
 * NimbusTokenEndpoint#NOT_SENT}), or it answered {@code 429} or {@code 503}. A timeout, a dropped
 * connection or another 5xx may have come after the server rotated the refresh token; sending the
 * same token again would then look like reuse to a server with reuse detection and revoke the whole
 * token family, so those are never retried here (the grant is kept, and the next caller tries
 * afresh once the lease is free).
 *
 * <p>Pauses grow exponentially from {@code base} with full jitter (a random share of the bound), a
 * server's {@code Retry-After} is honoured as a lower bound, and every attempt stays within the
 * caller's deadline: a pause that would not leave room for another call ends the retries.
 */
public final class RetryingTokenEndpoint implements TokenEndpoint {
    private static final Set<String> SAFE_TO_RETRY = Set.of(NimbusTokenEndpoint.NOT_SENT, "http_429", "http_503");
    // The least time worth starting another call with.
    private static final Duration MINIMUM_CALL = Duration.ofMillis(500);

    /** Sleeps; a seam so tests can observe pauses without waiting. */
    public interface Sleeper {
        void sleep(Duration pause) throws InterruptedException;

        Sleeper REAL = Thread::sleep;
    }

    private final TokenEndpoint delegate;
    private final int maxAttempts;
    private final Duration base;
    private final Sleeper sleeper;
    private final LongUnaryOperator jitter;

    /** Up to three attempts, pauses from 200 ms, real sleeping and random jitter. */
    public RetryingTokenEndpoint(TokenEndpoint delegate) {
        this(
                delegate,
                3,
                Duration.ofMillis(200),
                Sleeper.REAL,
                bound -> ThreadLocalRandom.current().nextLong(bound + 1));
    }

    /**
     * @param jitter given the pause bound in nanoseconds, the pause to take (0 to bound)
     */
    public RetryingTokenEndpoint(
            TokenEndpoint delegate, int maxAttempts, Duration base, Sleeper sleeper, LongUnaryOperator jitter) {
        if (maxAttempts < 1 || base.isNegative() || base.isZero()) {
            throw new IllegalArgumentException("at least one attempt and a positive base pause");
        }
        this.delegate = delegate;
        this.maxAttempts = maxAttempts;
        this.base = base;
        this.sleeper = sleeper;
        this.jitter = jitter;
    }

    @Override
    public RefreshOutcome refresh(GrantKey key, Secret refreshToken, Duration deadline) {
        long end = System.nanoTime() + deadline.toNanos();
        RefreshOutcome outcome = delegate.refresh(key, refreshToken, deadline);
        for (int attempt = 1; attempt < maxAttempts; attempt++) {
            if (!(outcome instanceof RefreshOutcome.Transient failure) || !SAFE_TO_RETRY.contains(failure.reason())) {
                return outcome;
            }
            Duration pause = pause(attempt, failure.retryAfter());
            long remainingAfterPause = end - System.nanoTime() - pause.toNanos();
            if (remainingAfterPause < MINIMUM_CALL.toNanos()) {
                return outcome;
            }
            try {
                sleeper.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return outcome;
            }
            outcome = delegate.refresh(key, refreshToken, Duration.ofNanos(end - System.nanoTime()));
        }
        return outcome;
    }

    /** Full jitter over base × 2^(attempt-1), but never shorter than what the server asked for. */
    private Duration pause(int attempt, @Nullable Duration retryAfter) {
        long bound = base.toNanos() << Math.min(attempt - 1, 20);
        Duration jittered = Duration.ofNanos(Math.clamp(jitter.applyAsLong(bound), 0, bound));
        return retryAfter != null && retryAfter.compareTo(jittered) > 0 ? retryAfter : jittered;
    }
}
