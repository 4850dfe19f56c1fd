package dev.latchkey.core.inbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.latchkey.core.tenant.TenantId;
import dev.latchkey.core.testing.TestClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class FixedWindowAttemptLimiterTest {
    private static final TenantId ACME = TenantId.of("acme");
    private static final TenantId GLOBEX = TenantId.of("globex");
    private static final ClientAddress ONE = ClientAddress.of("192.0.2.1");
    private static final ClientAddress TWO = ClientAddress.of("192.0.2.2");
    private static final Duration MINUTE = Duration.ofMinutes(1);

    private final TestClock clock = new TestClock();
    private final Map<TenantId, Integer> limits = new java.util.HashMap<>(Map.of(ACME, 3, GLOBEX, 5));
    private final FixedWindowAttemptLimiter limiter =
            new FixedWindowAttemptLimiter(tenant -> limits.getOrDefault(tenant, 20), MINUTE, 1000, clock);

    private static AttemptKey key(TenantId tenant, ClientAddress client) {
        return new AttemptKey(tenant, client);
    }

    @Test
    void blockedFor_belowLimit_notBlocked() {
        limiter.recordFailure(key(ACME, ONE));
        limiter.recordFailure(key(ACME, ONE));

        assertThat(limiter.blockedFor(key(ACME, ONE))).isEmpty();
    }

    @Test
    void recordFailure_reachingLimit_trueOnceAndBlockedForRestOfWindow() {
        AttemptKey key = key(ACME, ONE);
        assertThat(limiter.recordFailure(key)).isFalse();
        clock.advance(Duration.ofSeconds(10));
        assertThat(limiter.recordFailure(key)).isFalse();
        clock.advance(Duration.ofSeconds(5));
        assertThat(limiter.recordFailure(key)).isTrue();
        assertThat(limiter.recordFailure(key)).isFalse();

        // The window opened at the first failure, 15 s ago.
        assertThat(limiter.blockedFor(key)).contains(Duration.ofSeconds(45));
        clock.advance(Duration.ofSeconds(44));
        assertThat(limiter.blockedFor(key)).contains(Duration.ofSeconds(1));
    }

    @Test
    void blockedFor_windowOver_allowedAgainAndCountsAfresh() {
        AttemptKey key = key(ACME, ONE);
        for (int i = 0; i < 3; i++) {
            limiter.recordFailure(key);
        }
        assertThat(limiter.blockedFor(key)).isPresent();

        clock.advance(MINUTE);

        assertThat(limiter.blockedFor(key)).isEmpty();
        assertThat(limiter.recordFailure(key)).isFalse();
        assertThat(limiter.recordFailure(key)).isFalse();
        assertThat(limiter.blockedFor(key)).isEmpty();
        assertThat(limiter.recordFailure(key)).isTrue();
        assertThat(limiter.blockedFor(key)).contains(MINUTE);
    }

    @Test
    void blockedClient_otherClientAndSameClientInOtherTenant_unaffected() {
        for (int i = 0; i < 3; i++) {
            limiter.recordFailure(key(ACME, ONE));
        }

        assertThat(limiter.blockedFor(key(ACME, ONE))).isPresent();
        assertThat(limiter.blockedFor(key(ACME, TWO))).isEmpty();
        assertThat(limiter.blockedFor(key(GLOBEX, ONE))).isEmpty();
    }

    @Test
    void limit_isTheTenants() {
        for (int i = 0; i < 4; i++) {
            limiter.recordFailure(key(GLOBEX, ONE));
        }
        assertThat(limiter.blockedFor(key(GLOBEX, ONE))).isEmpty();

        assertThat(limiter.recordFailure(key(GLOBEX, ONE))).isTrue();
        assertThat(limiter.blockedFor(key(GLOBEX, ONE))).isPresent();
    }

    @Test
    void limit_loweredMidWindow_appliesAtOnce() {
        limiter.recordFailure(key(GLOBEX, ONE));
        limiter.recordFailure(key(GLOBEX, ONE));
        assertThat(limiter.blockedFor(key(GLOBEX, ONE))).isEmpty();

        limits.put(GLOBEX, 2);

        assertThat(limiter.blockedFor(key(GLOBEX, ONE))).isPresent();
    }

    @Test
    void recordFailure_concurrentFailuresAcrossTheLimit_exactlyOneReportsReachingIt() throws Exception {
        for (int round = 0; round < 20; round++) {
            AttemptKey key = key(GLOBEX, ClientAddress.of("198.51.100." + round));
            int threads = 16;
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Boolean>> results = new ArrayList<>();
            try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
                for (int i = 0; i < threads; i++) {
                    results.add(pool.submit(() -> {
                        start.await();
                        return limiter.recordFailure(key);
                    }));
                }
                start.countDown();
                int reached = 0;
                for (Future<Boolean> result : results) {
                    reached += result.get() ? 1 : 0;
                }
                assertThat(reached).as("round %d", round).isEqualTo(1);
            }
            assertThat(limiter.blockedFor(key)).isPresent();
        }
    }

    @Test
    void memory_isBoundedByMaxTrackedKeys() {
        FixedWindowAttemptLimiter small = new FixedWindowAttemptLimiter(tenant -> 1, MINUTE, 100, clock);
        for (int i = 0; i < 10_000; i++) {
            small.recordFailure(key(ACME, ClientAddress.of("10.0." + (i / 256) + "." + (i % 256))));
        }

        long blocked = 0;
        for (int i = 0; i < 10_000; i++) {
            if (small.blockedFor(key(ACME, ClientAddress.of("10.0." + (i / 256) + "." + (i % 256))))
                    .isPresent()) {
                blocked++;
            }
        }
        // Caffeine evicts asynchronously to its target; it never keeps much more than the bound.
        assertThat(blocked).isPositive().isLessThanOrEqualTo(200);
    }

    @Test
    void constructor_invalidOptions_refusedNamingTheOption() {
        assertThatThrownBy(() -> new FixedWindowAttemptLimiter(tenant -> 1, Duration.ZERO, 1, clock))
                .hasMessageContaining("window");
        assertThatThrownBy(() -> new FixedWindowAttemptLimiter(tenant -> 1, MINUTE, 0, clock))
                .hasMessageContaining("maxTrackedKeys");
    }
}
