package dev.latchkey.client;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Supplier;

/**
 * Coalesces concurrent calls for one key: the first caller runs the work on its own thread, every
 * caller that arrives while it runs waits for and shares its result or exception. The entry is
 * removed as soon as the work settles, so no result outlives its flight: a caller arriving later
 * runs the work again, and the work itself must re-check whether it is still needed. Thread-safe.
 */
final class SingleFlight<K, V> {
    private final ConcurrentMap<K, CompletableFuture<V>> flights = new ConcurrentHashMap<>();

    /**
     * Runs {@code work} for {@code key} unless a run for that key is in flight, in which case it
     * waits for that run. The work's unchecked exception reaches every caller as it was thrown.
     */
    V run(K key, Supplier<V> work) {
        CompletableFuture<V> mine = new CompletableFuture<>();
        CompletableFuture<V> running = flights.putIfAbsent(key, mine);
        if (running != null) {
            return await(running);
        }
        try {
            V value = work.get();
            mine.complete(value);
            return value;
        } catch (RuntimeException | Error e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            // Completed before removal: a caller that found the entry gets the result, one that
            // did not starts a new flight.
            flights.remove(key, mine);
        }
    }

    /** True when no work is in flight. */
    boolean isIdle() {
        return flights.isEmpty();
    }

    private static <V> V await(CompletableFuture<V> flight) {
        try {
            return flight.join();
        } catch (CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw e;
        }
    }
}
