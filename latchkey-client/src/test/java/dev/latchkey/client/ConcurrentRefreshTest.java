package dev.latchkey.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * C10-04: 200 threads share one client whose bearer has expired. Exactly one refresh POST per
 * expiry, every thread uses its result, and no refresh token is ever presented twice (which
 * would trip the server's reuse detection, C4-06). The race is released behind a start gate and
 * repeated; the assertions are on what the server counted and what the store holds.
 */
class ConcurrentRefreshTest {
    private static final int THREADS = 200;
    private static final int ROUNDS = 10;

    private final FakeLatchkey latchkey = ExchangeTest.newServer();
    private final ExecutorService pool = Executors.newFixedThreadPool(THREADS);

    @AfterEach
    void stop() {
        pool.shutdownNow();
        latchkey.close();
    }

    @Test
    void send_expiredOnClientClock_oneRefreshPerRoundAndSpentTokenNeverSentAgain() throws Exception {
        RecordingStore store = new RecordingStore();
        MutableClock clock = MutableClock.offsetFromRealTime(Duration.ZERO);
        try (LatchkeyClient client =
                latchkey.client().sessionStore(store).clock(clock).build()) {
            client.exchange(latchkey.code());
            for (int round = 1; round <= ROUNDS; round++) {
                clock.advance(Duration.ofMinutes(10));
                int callsBefore = latchkey.apiCalls("/v1/me").size();

                List<Integer> statuses =
                        race(() -> client.send(ApiRequest.get("/v1/me")).statusCode());

                assertThat(statuses).hasSize(THREADS).containsOnly(200);
                assertThat(latchkey.refreshes()).hasSize(round);
                String newest = latchkey.latestAccessToken();
                List<FakeLatchkey.Recorded> calls = latchkey.apiCalls("/v1/me");
                assertThat(calls.subList(callsBefore, calls.size()))
                        .hasSize(THREADS)
                        .allSatisfy(r -> assertThat(r.bearer()).isEqualTo(newest));
                assertThat(store.refreshToken()).isEqualTo(latchkey.latestRefreshToken());
            }
            assertNoRefreshTokenPresentedTwice();
            assertThat(store.events()).hasSize(ROUNDS + 1);
            assertThat(LatchkeyClient.noRefreshInFlight()).isTrue();
        }
    }

    @Test
    void send_rejectedByServerConcurrently_oneRefreshPerRoundAndEveryThreadRetriesOnce() throws Exception {
        RecordingStore store = new RecordingStore();
        try (LatchkeyClient client = latchkey.client().sessionStore(store).build()) {
            client.exchange(latchkey.code());
            for (int round = 1; round <= ROUNDS; round++) {
                latchkey.expireAccessTokens();
                int callsBefore = latchkey.apiCalls("/v1/me").size();

                List<Integer> statuses =
                        race(() -> client.send(ApiRequest.get("/v1/me")).statusCode());

                assertThat(statuses).hasSize(THREADS).containsOnly(200);
                assertThat(latchkey.refreshes()).hasSize(round);
                int calls = latchkey.apiCalls("/v1/me").size() - callsBefore;
                assertThat(calls).isBetween(THREADS, 2 * THREADS);
                assertThat(store.refreshToken()).isEqualTo(latchkey.latestRefreshToken());
            }
            assertNoRefreshTokenPresentedTwice();
        }
    }

    @Test
    void send_twoClientsSharingOneStore_oneRefreshBetweenThem() throws Exception {
        RecordingStore store = new RecordingStore();
        MutableClock clock = MutableClock.offsetFromRealTime(Duration.ZERO);
        try (LatchkeyClient first =
                        latchkey.client().sessionStore(store).clock(clock).build();
                LatchkeyClient second =
                        latchkey.client().sessionStore(store).clock(clock).build()) {
            first.exchange(latchkey.code());
            for (int round = 1; round <= ROUNDS; round++) {
                clock.advance(Duration.ofMinutes(10));
                List<Integer> statuses = race(() -> (Thread.currentThread().threadId() % 2 == 0 ? first : second)
                        .send(ApiRequest.get("/v1/me"))
                        .statusCode());

                assertThat(statuses).containsOnly(200);
                assertThat(latchkey.refreshes()).hasSize(round);
            }
            assertNoRefreshTokenPresentedTwice();
        }
    }

    private void assertNoRefreshTokenPresentedTwice() {
        List<String> presented = latchkey.presentedRefreshTokens();
        assertThat(new HashSet<>(presented)).hasSameSizeAs(presented);
        assertThat(latchkey.reuses()).isZero();
    }

    private <T> List<T> race(Supplier<T> call) throws Exception {
        CountDownLatch ready = new CountDownLatch(THREADS);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<T>> futures = new ArrayList<>();
        for (int i = 0; i < THREADS; i++) {
            futures.add(pool.submit(() -> {
                ready.countDown();
                go.await();
                return call.get();
            }));
        }
        ready.await();
        go.countDown();
        List<T> results = new ArrayList<>();
        for (Future<T> future : futures) {
            results.add(future.get());
        }
        return results;
    }
}
