package dev.latchkey.server;

import dev.latchkey.core.health.HealthCheck;
import dev.latchkey.core.health.HealthCheck.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs every {@link HealthCheck} concurrently, each on its own virtual thread, and waits for all
 * of them together for at most one timeout. A check that has not answered by then counts as down
 * ("timed out") and its thread is interrupted, so a hung database cannot hang the probe that
 * orchestrators call every few seconds. Thread-safe; each call runs the checks afresh.
 */
final class ReadinessProbe {
    private final List<HealthCheck> checks;
    private final Duration timeout;

    ReadinessProbe(List<HealthCheck> checks, Duration timeout) {
        this.checks = List.copyOf(checks);
        this.timeout = timeout;
    }

    /** Every check's status by name, in name order. */
    Map<String, Status> run() {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<Running> running = new ArrayList<>(checks.size());
        for (HealthCheck check : checks) {
            running.add(Running.start(check));
        }
        Map<String, Status> results = new TreeMap<>();
        for (Running each : running) {
            results.put(each.name(), each.await(deadline));
        }
        return results;
    }

    private record Running(String name, CompletableFuture<Status> result, Thread thread) {

        static Running start(HealthCheck check) {
            CompletableFuture<Status> result = new CompletableFuture<>();
            Thread thread = Thread.ofVirtual()
                    .name("latchkey-health-" + check.name())
                    .start(() -> {
                        try {
                            result.complete(check.check());
                        } catch (RuntimeException e) {
                            // The contract says checks never throw; one that does is simply down,
                            // and its message stays out of the probe (it may name hosts or users).
                            result.complete(Status.down("check failed"));
                        }
                    });
            return new Running(check.name(), result, thread);
        }

        Status await(long deadlineNanos) {
            try {
                return result.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                thread.interrupt();
                return Status.down("timed out");
            } catch (ExecutionException e) {
                return Status.down("check failed");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                thread.interrupt();
                return Status.down("interrupted");
            }
        }
    }
}
