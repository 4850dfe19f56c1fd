package dev.latchkey.core.grant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

class BackgroundGrantUsageTest {
    private static final GrantKey KEY = GrantKey.of("acme", "alice", "github");
    private static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");

    @Test
    void recordUse_writesOnTheExecutor_notOnTheCallersThread() throws Exception {
        Recording delegate = new Recording(null);
        ExecutorService executor = Executors.newSingleThreadExecutor(
                Thread.ofPlatform().name("writer").factory());
        try {
            new BackgroundGrantUsage(delegate, executor).recordUse(KEY, NOW);
            executor.shutdown();
            assertThat(executor.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
        } finally {
            executor.shutdownNow();
        }
        assertThat(delegate.threads).containsExactly("writer");
    }

    @Test
    void recordUse_whenTheWriterIsSaturated_dropsTheRecordWithoutFailingTheCaller() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Recording delegate = new Recording(release);
        ThreadPoolExecutor executor = new ThreadPoolExecutor(
                1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(1), new ThreadPoolExecutor.AbortPolicy());
        try {
            BackgroundGrantUsage usage = new BackgroundGrantUsage(delegate, executor);
            // One write blocks the writer, one waits in the queue, the rest are refused and dropped.
            for (int i = 0; i < 5; i++) {
                assertThatCode(() -> usage.recordUse(KEY, NOW)).doesNotThrowAnyException();
            }
            release.countDown();
            executor.shutdown();
            assertThat(executor.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
        } finally {
            executor.shutdownNow();
        }
        assertThat(delegate.threads).hasSize(2);
    }

    @Test
    void recordUse_aFailingWrite_isNotTheCallersProblem() throws Exception {
        GrantUsage failing = new Recording(null) {
            @Override
            public void recordUse(GrantKey key, Instant at) {
                throw new IllegalStateException("database down");
            }
        };
        ExecutorService executor = Executors.newSingleThreadExecutor();
        try {
            assertThatCode(() -> new BackgroundGrantUsage(failing, executor).recordUse(KEY, NOW))
                    .doesNotThrowAnyException();
        } finally {
            executor.shutdown();
            assertThat(executor.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
        }
    }

    /** The port's edge: records which thread wrote, optionally blocking until released. */
    private static class Recording implements GrantUsage {
        final List<String> threads = new CopyOnWriteArrayList<>();
        private final @Nullable CountDownLatch release;

        Recording(@Nullable CountDownLatch release) {
            this.release = release;
        }

        @Override
        public void recordUse(GrantKey key, Instant at) {
            threads.add(Thread.currentThread().getName());
            CountDownLatch gate = release;
            if (gate != null) {
                try {
                    gate.await(5, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        @Override
        public List<DueGrant> dueForRefresh(
                Instant expiringFrom, Instant expiringBefore, Instant usedSince, int limit) {
            return List.of();
        }

        @Override
        public List<DueGrant> dueForRefresh(DueGrant after, Instant expiringBefore, Instant usedSince, int limit) {
            return List.of();
        }
    }
}
