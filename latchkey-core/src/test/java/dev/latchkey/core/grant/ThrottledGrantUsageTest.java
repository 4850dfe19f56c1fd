package dev.latchkey.core.grant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

class ThrottledGrantUsageTest {
    private static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
    private static final GrantKey ACME = GrantKey.of("acme", "alice", "github-mcp");
    private static final GrantKey GLOBEX = GrantKey.of("globex", "alice", "github-mcp");

    private final Recording recording = new Recording();
    private final ThrottledGrantUsage usage = new ThrottledGrantUsage(recording, Duration.ofMinutes(1), 1000);

    @Test
    void recordUse_hotGrant_writesOncePerInterval() {
        for (int second = 0; second < 150; second++) {
            usage.recordUse(ACME, T0.plusSeconds(second));
        }

        assertThat(recording.writes)
                .containsExactly(
                        new Write(ACME, T0), new Write(ACME, T0.plusSeconds(60)), new Write(ACME, T0.plusSeconds(120)));
    }

    @Test
    void recordUse_sameUserAndResourceInAnotherTenant_isWrittenOnItsOwn() {
        usage.recordUse(ACME, T0);
        usage.recordUse(GLOBEX, T0.plusSeconds(1));

        assertThat(recording.writes).containsExactly(new Write(ACME, T0), new Write(GLOBEX, T0.plusSeconds(1)));
    }

    @Test
    void recordUse_manyCallersAtOnce_writeOnce() throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        try (ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 100; i++) {
                callers.execute(() -> {
                    try {
                        start.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    usage.recordUse(ACME, T0);
                });
            }
            start.countDown();
        }

        assertThat(recording.writes).containsExactly(new Write(ACME, T0));
    }

    @Test
    void recordUse_failedWrite_isTriedAgainByTheNextUse() {
        recording.failNext = true;

        assertThatThrownBy(() -> usage.recordUse(ACME, T0)).isInstanceOf(IllegalStateException.class);
        usage.recordUse(ACME, T0.plusSeconds(1));

        assertThat(recording.writes).containsExactly(new Write(ACME, T0.plusSeconds(1)));
    }

    private record Write(GrantKey key, Instant at) {}

    /** The delegate: records the writes that reach it. */
    private static final class Recording implements GrantUsage {
        final List<Write> writes = new ArrayList<>();
        boolean failNext;

        @Override
        public synchronized void recordUse(GrantKey key, Instant at) {
            if (failNext) {
                failNext = false;
                throw new IllegalStateException("store unavailable");
            }
            writes.add(new Write(key, at));
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
