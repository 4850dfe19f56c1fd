package dev.latchkey.core.identity;

import dev.latchkey.core.tenant.TenantId;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/** An {@link ApiKeyStore} in memory that counts lookups; one lock makes every method atomic. */
final class InMemoryApiKeyStore implements ApiKeyStore {
    private record KeyOf(TenantId tenant, ApiKeyId id) {}

    private final Map<KeyOf, StoredApiKey> keys = new LinkedHashMap<>();
    final AtomicInteger lookups = new AtomicInteger();

    @Override
    public synchronized void insert(StoredApiKey key) {
        if (keys.putIfAbsent(new KeyOf(key.key().tenant(), key.key().id()), key) != null) {
            throw new IllegalStateException("duplicate API key id");
        }
    }

    @Override
    public synchronized Optional<StoredApiKey> find(TenantId tenant, ApiKeyId id) {
        lookups.incrementAndGet();
        return Optional.ofNullable(keys.get(new KeyOf(tenant, id)));
    }

    @Override
    public synchronized List<ApiKey> list(TenantId tenant, UserId owner) {
        return keys.values().stream()
                .map(StoredApiKey::key)
                .filter(key -> key.tenant().equals(tenant) && key.owner().equals(owner))
                .sorted(Comparator.comparing(ApiKey::createdAt).reversed())
                .toList();
    }

    @Override
    public synchronized boolean revoke(TenantId tenant, UserId owner, ApiKeyId id, Instant at) {
        StoredApiKey stored = keys.get(new KeyOf(tenant, id));
        if (stored == null
                || !stored.key().owner().equals(owner)
                || stored.key().revokedAt() != null) {
            return false;
        }
        ApiKey key = stored.key();
        keys.put(
                new KeyOf(tenant, id),
                new StoredApiKey(
                        new ApiKey(
                                tenant,
                                id,
                                owner,
                                key.scopes(),
                                key.expiresAt(),
                                at,
                                key.createdAt(),
                                key.lastUsedAt()),
                        stored.hash()));
        return true;
    }

    @Override
    public synchronized void recordUse(TenantId tenant, ApiKeyId id, Instant at) {
        keys.computeIfPresent(new KeyOf(tenant, id), (k, stored) -> {
            ApiKey key = stored.key();
            return new StoredApiKey(
                    new ApiKey(
                            tenant,
                            id,
                            key.owner(),
                            key.scopes(),
                            key.expiresAt(),
                            key.revokedAt(),
                            key.createdAt(),
                            at),
                    stored.hash());
        });
    }

    synchronized List<StoredApiKey> all() {
        return List.copyOf(keys.values());
    }
}
