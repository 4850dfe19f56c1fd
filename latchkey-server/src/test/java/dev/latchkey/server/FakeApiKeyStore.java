package dev.latchkey.server;

import dev.latchkey.core.identity.ApiKey;
import dev.latchkey.core.identity.ApiKeyId;
import dev.latchkey.core.identity.ApiKeyStore;
import dev.latchkey.core.identity.StoredApiKey;
import dev.latchkey.core.identity.UserId;
import dev.latchkey.core.tenant.TenantId;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** A tiny {@link ApiKeyStore} in a list, behind one lock; the JDBC one is tested in latchkey-store. */
final class FakeApiKeyStore implements ApiKeyStore {
    private final List<StoredApiKey> rows = new ArrayList<>();

    synchronized List<StoredApiKey> rows() {
        return List.copyOf(rows);
    }

    @Override
    public synchronized void insert(StoredApiKey key) {
        rows.add(key);
    }

    @Override
    public synchronized Optional<StoredApiKey> find(TenantId tenant, ApiKeyId id) {
        return rows.stream()
                .filter(row ->
                        row.key().tenant().equals(tenant) && row.key().id().equals(id))
                .findFirst();
    }

    @Override
    public synchronized List<ApiKey> list(TenantId tenant, UserId owner) {
        return rows.stream()
                .map(StoredApiKey::key)
                .filter(key -> key.tenant().equals(tenant) && key.owner().equals(owner))
                .sorted(Comparator.comparing(ApiKey::createdAt).reversed())
                .toList();
    }

    @Override
    public synchronized boolean revoke(TenantId tenant, UserId owner, ApiKeyId id, Instant at) {
        for (int i = 0; i < rows.size(); i++) {
            ApiKey key = rows.get(i).key();
            if (key.tenant().equals(tenant)
                    && key.id().equals(id)
                    && key.owner().equals(owner)
                    && key.revokedAt() == null) {
                rows.set(
                        i,
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
                                rows.get(i).hash()));
                return true;
            }
        }
        return false;
    }

    @Override
    public void recordUse(TenantId tenant, ApiKeyId id, Instant at) {}
}
