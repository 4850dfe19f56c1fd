package dev.latchkey.core.grant;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * A {@link GrantUsage} in memory over the rows of a {@link SealedTokenStore}: the port's edge for
 * core tests. It knows no leases, so a leased grant stays due (the coordinator still refreshes it
 * once). The JDBC adapter in latchkey-store passes its contract against H2 and PostgreSQL.
 */
final class InMemoryGrantUsage implements GrantUsage {
    private static final Comparator<DueGrant> ORDER = Comparator.comparing(DueGrant::expiresAt)
            .thenComparing(due -> due.key().tenant().value())
            .thenComparing(due -> due.key().user().value())
            .thenComparing(due -> due.key().resource().value());

    private final SealedTokenStore rows;
    private final Map<GrantKey, Instant> lastUsed = new ConcurrentHashMap<>();

    InMemoryGrantUsage(SealedTokenStore rows) {
        this.rows = rows;
    }

    @Override
    public void recordUse(GrantKey key, Instant at) {
        if (rows.find(key).isPresent()) {
            lastUsed.merge(key, at, (old, now) -> now.isAfter(old) ? now : old);
        }
    }

    @Override
    public List<DueGrant> dueForRefresh(Instant expiringFrom, Instant expiringBefore, Instant usedSince, int limit) {
        return due(expiringBefore, usedSince, limit, due -> !due.expiresAt().isBefore(expiringFrom));
    }

    @Override
    public List<DueGrant> dueForRefresh(DueGrant after, Instant expiringBefore, Instant usedSince, int limit) {
        return due(expiringBefore, usedSince, limit, due -> ORDER.compare(due, after) > 0);
    }

    private List<DueGrant> due(Instant expiringBefore, Instant usedSince, int limit, Predicate<DueGrant> from) {
        List<DueGrant> stored = new ArrayList<>();
        for (SealedGrant row : rows.page(null, Integer.MAX_VALUE)) {
            Instant expiresAt = row.expiresAt();
            Instant used = lastUsed.get(row.key());
            if (expiresAt != null && expiresAt.isBefore(expiringBefore) && used != null && !used.isBefore(usedSince)) {
                stored.add(new DueGrant(row.key(), expiresAt));
            }
        }
        return stored.stream().filter(from).sorted(ORDER).limit(limit).toList();
    }
}
