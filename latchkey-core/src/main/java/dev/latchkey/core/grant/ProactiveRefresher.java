package dev.latchkey.core.grant;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;

/**
 * Refreshes, in the background, the grants whose access token expires soon and that were used
 * recently (DESIGN.md C5), so that callers find a fresh token instead of waiting for a refresh;
 * grants nobody used within the idle limit are left to expire. Every refresh goes through the
 * {@link RefreshCoordinator}, so it is single-flight with the callers' own refreshes and with the
 * other replicas.
 *
 * <p>A run takes up at most {@code batchSize} due grants in random order (so replicas running at
 * the same moment mostly work on different grants) and starts their refreshes no faster than
 * {@code ratePerSecond}, each start at least {@code 1/ratePerSecond} after the previous one, with
 * at most {@code concurrency} in flight: many grants expiring in the same minute become a steady,
 * bounded stream of token-endpoint calls rather than a burst. The bound holds per process; replicas
 * add up.
 *
 * <p>A grant whose refresh fails is left alone for a while, in memory: after a transient failure
 * for an exponentially growing, jittered pause; after "authorization required" (no refresh token,
 * unreadable, refused) for the whole window, by which time its token has expired and it is no
 * longer due. A failing grant never stops the run. Runs are meant to be made one at a time.
 */
public final class ProactiveRefresher {
    // A page of due grants may be all grants that are backing off; a run looks this far beyond.
    private static final int MAX_PAGES = 10;
    private static final Duration FIRST_BACKOFF = Duration.ofSeconds(30);
    private static final Duration MAX_BACKOFF = Duration.ofMinutes(15);
    private static final long MAX_REMEMBERED = 100_000;

    /** How one grant's proactive refresh ended; metrics count these. */
    public enum Outcome {
        /** The grant holds a token that outlives the window (refreshed here or by somebody else). */
        FRESH,
        /**
         * The grant still expires within the window: the refresh failed transiently and the old,
         * still valid token was kept, or the server issues tokens living shorter than the window.
         */
        STALE,
        /** The refresh failed transiently and no token can be had now. */
        UNAVAILABLE,
        /** No refresh is possible (no refresh token, unreadable, refused); the user must consent. */
        AUTHORIZATION_REQUIRED,
        /** The refresh threw (for example, the store is down). */
        FAILED
    }

    /** What the refresher reports; metrics subscribe. Methods must not throw. */
    public interface Listener {
        default void refreshEnded(GrantKey key, Outcome outcome) {}

        Listener NONE = new Listener() {};
    }

    /** Time for pacing the starts: a seam so tests can pace in virtual time. */
    public interface Pacing {
        long nanoTime();

        void sleep(Duration pause) throws InterruptedException;

        Pacing REAL = new Pacing() {
            @Override
            public long nanoTime() {
                return System.nanoTime();
            }

            @Override
            public void sleep(Duration pause) throws InterruptedException {
                Thread.sleep(pause);
            }
        };
    }

    /**
     * How eagerly grants are refreshed.
     *
     * @param window a used grant whose token expires within this is refreshed
     * @param idleLimit a grant not used for this long is not refreshed
     * @param ratePerSecond the most refreshes started per second
     * @param concurrency the most refreshes in flight at once
     * @param batchSize the most grants one run takes up
     */
    public record Settings(Duration window, Duration idleLimit, int ratePerSecond, int concurrency, int batchSize) {
        public Settings {
            if (window.isNegative() || window.isZero()) {
                throw new IllegalArgumentException("window must be positive");
            }
            if (idleLimit.isNegative() || idleLimit.isZero()) {
                throw new IllegalArgumentException("idleLimit must be positive");
            }
            if (ratePerSecond < 1 || concurrency < 1 || batchSize < 1) {
                throw new IllegalArgumentException("ratePerSecond, concurrency and batchSize must be at least 1");
            }
        }

        /** A 5 minute window, a 24 hour idle limit, 20 refreshes per second, 4 at once. */
        public static Settings defaults() {
            return of(Duration.ofMinutes(5), Duration.ofHours(24), 20, 4);
        }

        /** A run takes up what it can start in {@code runSpan()} at the given rate. */
        public static Settings of(Duration window, Duration idleLimit, int ratePerSecond, int concurrency) {
            return new Settings(
                    window,
                    idleLimit,
                    ratePerSecond,
                    concurrency,
                    Math.toIntExact(Math.min(
                            Integer.MAX_VALUE, ratePerSecond * runSpan().toSeconds())));
        }

        /** How long a full batch takes at the rate, and so how often runs should be made. */
        public static Duration runSpan() {
            return Duration.ofSeconds(30);
        }
    }

    private record Backoff(Instant until, int failures) {}

    private final GrantUsage usage;
    private final RefreshCoordinator coordinator;
    private final Clock clock;
    private final Settings settings;
    private final Listener listener;
    private final Pacing pacing;
    private final Cache<GrantKey, Backoff> backingOff;

    public ProactiveRefresher(
            GrantUsage usage, RefreshCoordinator coordinator, Clock clock, Settings settings, Listener listener) {
        this(usage, coordinator, clock, settings, listener, Pacing.REAL);
    }

    public ProactiveRefresher(
            GrantUsage usage,
            RefreshCoordinator coordinator,
            Clock clock,
            Settings settings,
            Listener listener,
            Pacing pacing) {
        this.usage = usage;
        this.coordinator = coordinator;
        this.clock = clock;
        this.settings = settings;
        this.listener = listener;
        this.pacing = pacing;
        // Judged by the injected clock; this expiry only frees memory.
        Duration longest = settings.window().compareTo(MAX_BACKOFF) > 0 ? settings.window() : MAX_BACKOFF;
        this.backingOff = Caffeine.newBuilder()
                .maximumSize(MAX_REMEMBERED)
                .expireAfterWrite(longest)
                .build();
    }

    /**
     * Refreshes the grants due now, paced and bounded as described above, and returns how many it
     * took up. Returns once every refresh it started has ended. If the calling thread is
     * interrupted, no more refreshes are started and those in flight are interrupted.
     *
     * @throws RuntimeException if the due grants cannot be read (the store is down)
     */
    public int runOnce() {
        Instant now = clock.instant();
        List<GrantKey> due = due(now);
        Collections.shuffle(due, ThreadLocalRandom.current());
        Semaphore inFlight = new Semaphore(settings.concurrency());
        Pacer pacer = new Pacer(pacing, Duration.ofSeconds(1).dividedBy(settings.ratePerSecond()));
        int started = 0;
        // Closing waits for every refresh started; each is bounded by the coordinator's deadline.
        try (ExecutorService refreshes = Executors.newThreadPerTaskExecutor(
                Thread.ofVirtual().name("latchkey-proactive-refresh").factory())) {
            for (GrantKey key : due) {
                try {
                    // The permit first: a start delayed by a full pool must not let the next one
                    // follow it closer than the pace allows.
                    inFlight.acquire();
                    try {
                        pacer.awaitTurn();
                    } catch (InterruptedException e) {
                        inFlight.release();
                        throw e;
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
                refreshes.execute(() -> {
                    try {
                        refresh(key);
                    } finally {
                        inFlight.release();
                    }
                });
                started++;
            }
        }
        return started;
    }

    /** Due grants not backing off, at most a batch, scanning past grants that are. */
    private List<GrantKey> due(Instant now) {
        Instant expiringBefore = now.plus(settings.window());
        Instant usedSince = now.minus(settings.idleLimit());
        int limit = settings.batchSize();
        List<GrantKey> due = new ArrayList<>();
        // Tokens already expired are left to the callers' own refresh: the scan stays within the
        // window of the expiry index, however many unused grants have long expired.
        List<GrantUsage.DueGrant> page = usage.dueForRefresh(now, expiringBefore, usedSince, limit);
        for (int pages = 1; ; pages++) {
            for (GrantUsage.DueGrant grant : page) {
                if (due.size() < limit && !backingOff(grant.key(), now)) {
                    due.add(grant.key());
                }
            }
            if (due.size() >= limit || page.size() < limit || pages >= MAX_PAGES) {
                return due;
            }
            page = usage.dueForRefresh(page.getLast(), expiringBefore, usedSince, limit);
        }
    }

    private boolean backingOff(GrantKey key, Instant now) {
        @Nullable Backoff backoff = backingOff.getIfPresent(key);
        return backoff != null && now.isBefore(backoff.until());
    }

    private void refresh(GrantKey key) {
        Outcome outcome;
        try {
            outcome = switch (coordinator.currentToken(key, settings.window())) {
                case TokenResult.Fresh fresh -> outlivesWindow(fresh.grant()) ? Outcome.FRESH : Outcome.STALE;
                case TokenResult.AuthorizationRequired required -> Outcome.AUTHORIZATION_REQUIRED;
                case TokenResult.TemporarilyUnavailable unavailable -> Outcome.UNAVAILABLE;
            };
        } catch (RuntimeException e) {
            outcome = Outcome.FAILED;
        }
        remember(key, outcome);
        listener.refreshEnded(key, outcome);
    }

    private boolean outlivesWindow(VersionedTokenSet grant) {
        @Nullable Instant expiresAt = grant.tokens().expiresAt();
        return expiresAt == null || expiresAt.isAfter(clock.instant().plus(settings.window()));
    }

    private void remember(GrantKey key, Outcome outcome) {
        Instant now = clock.instant();
        switch (outcome) {
            case FRESH -> backingOff.invalidate(key);
            // Nothing will change until the user consents again; by the end of the window the
            // token has expired and the grant is no longer due.
            case AUTHORIZATION_REQUIRED -> backingOff.put(key, new Backoff(now.plus(settings.window()), 0));
            case STALE, UNAVAILABLE, FAILED ->
                backingOff.asMap().compute(key, (k, previous) -> {
                    int failures = previous == null ? 1 : previous.failures() + 1;
                    return new Backoff(now.plus(pause(failures)), failures);
                });
        }
    }

    /** Equal jitter over an exponential bound: half the bound, plus a random share of the other half. */
    private static Duration pause(int failures) {
        Duration bound = FIRST_BACKOFF.multipliedBy(1L << Math.min(failures - 1, 10));
        if (bound.compareTo(MAX_BACKOFF) > 0) {
            bound = MAX_BACKOFF;
        }
        long half = bound.toMillis() / 2;
        return Duration.ofMillis(half + ThreadLocalRandom.current().nextLong(half + 1));
    }

    /** Spaces starts at least {@code interval} apart, measured from the previous actual start. */
    private static final class Pacer {
        private final Pacing pacing;
        private final long interval;
        private boolean started;
        private long last;

        Pacer(Pacing pacing, Duration interval) {
            this.pacing = pacing;
            this.interval = interval.toNanos();
        }

        void awaitTurn() throws InterruptedException {
            if (started) {
                long wait;
                while ((wait = last + interval - pacing.nanoTime()) > 0) {
                    pacing.sleep(Duration.ofNanos(wait));
                }
            }
            last = pacing.nanoTime();
            started = true;
        }
    }
}
