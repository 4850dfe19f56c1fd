package dev.latchkey.core.grant;

import dev.latchkey.core.identity.UserId;
import dev.latchkey.core.tenant.TenantId;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import org.jspecify.annotations.Nullable;

/**
 * A {@link SealedTokenStore} in memory: the port's edge for core tests. The JDBC adapter in
 * latchkey-store passes the same contract against H2 and PostgreSQL.
 */
final class InMemorySealedTokenStore implements SealedTokenStore {
    private static final Comparator<GrantKey> ORDER = Comparator.comparing(
                    (GrantKey k) -> k.tenant().value())
            .thenComparing(k -> k.user().value())
            .thenComparing(k -> k.resource().value());

    private final ConcurrentSkipListMap<GrantKey, SealedGrant> rows = new ConcurrentSkipListMap<>(ORDER);

    @Override
    public Optional<SealedGrant> find(GrantKey key) {
        return Optional.ofNullable(rows.get(key));
    }

    @Override
    public synchronized SealedWrite compareAndSet(
            GrantKey key, long expectedVersion, Ciphertext ciphertext, @Nullable Instant expiresAt) {
        SealedGrant current = rows.get(key);
        long currentVersion = current == null ? 0 : current.version();
        if (currentVersion != expectedVersion) {
            return new SealedWrite.Conflict(Optional.ofNullable(current));
        }
        rows.put(key, new SealedGrant(key, expectedVersion + 1, ciphertext, expiresAt));
        return new SealedWrite.Written(expectedVersion + 1);
    }

    @Override
    public synchronized boolean reseal(GrantKey key, long version, Ciphertext ciphertext) {
        SealedGrant current = rows.get(key);
        if (current == null || current.version() != version) {
            return false;
        }
        rows.put(key, new SealedGrant(key, version, ciphertext, current.expiresAt()));
        return true;
    }

    @Override
    public synchronized boolean delete(GrantKey key, long expectedVersion) {
        SealedGrant current = rows.get(key);
        return current != null && current.version() == expectedVersion && rows.remove(key, current);
    }

    @Override
    public List<SealedGrant> listForUser(TenantId tenant, UserId user) {
        return rows.values().stream()
                .filter(row ->
                        row.key().tenant().equals(tenant) && row.key().user().equals(user))
                .toList();
    }

    @Override
    public List<SealedGrant> page(@Nullable GrantKey after, int limit) {
        var tail = after == null ? rows : rows.tailMap(after, false);
        return tail.values().stream().limit(limit).toList();
    }

    /** Replaces a row's bytes behind the store's back, as an attacker with database access could. */
    void tamper(GrantKey key, Ciphertext ciphertext) {
        SealedGrant current = rows.get(key);
        if (current == null) {
            throw new IllegalStateException("no row for " + key);
        }
        rows.put(key, new SealedGrant(key, current.version(), ciphertext, current.expiresAt()));
    }

    Optional<SealedGrant> raw(GrantKey key) {
        return Optional.ofNullable(rows.get(key));
    }
}
