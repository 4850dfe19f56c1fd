package dev.latchkey.core.grant;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * A {@link GrantLease} in memory, judged by {@link System#nanoTime()} as the database judges it by
 * its own clock: the port's edge for core tests. The JDBC adapter in latchkey-store passes its
 * contract against H2 and PostgreSQL.
 */
final class InMemoryGrantLease implements GrantLease {
    private record Held(String owner, long untilNanos) {}

    private final SealedTokenStore rows;
    private final Map<GrantKey, Held> held = new HashMap<>();
    private final Map<GrantKey, Long> fences = new HashMap<>();

    InMemoryGrantLease(SealedTokenStore rows) {
        this.rows = rows;
    }

    @Override
    public synchronized OptionalLong tryAcquire(GrantKey key, String owner, Duration ttl) {
        if (rows.find(key).isEmpty()) {
            return OptionalLong.empty();
        }
        Held current = held.get(key);
        long now = System.nanoTime();
        if (current != null && current.untilNanos() - now > 0) {
            return OptionalLong.empty();
        }
        held.put(key, new Held(owner, now + ttl.toNanos()));
        long fence = fences.merge(key, 1L, Long::sum);
        return OptionalLong.of(fence);
    }

    @Override
    public synchronized boolean release(GrantKey key, String owner, long fence) {
        Held current = held.get(key);
        if (current == null || !current.owner().equals(owner) || fences.getOrDefault(key, 0L) != fence) {
            return false;
        }
        held.remove(key);
        return true;
    }
}
