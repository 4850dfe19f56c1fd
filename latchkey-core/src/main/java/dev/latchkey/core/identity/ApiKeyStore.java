package dev.latchkey.core.identity;

import dev.latchkey.core.tenant.TenantId;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Where API keys are kept, hashed. Every method is scoped to one tenant. Implementations are
 * thread-safe; an unreachable store throws an unchecked exception of the adapter (never an empty
 * answer).
 */
public interface ApiKeyStore {

    /**
     * Stores a new key.
     *
     * @throws IllegalStateException if the tenant already has a key with that id
     */
    void insert(StoredApiKey key);

    /** A key by id, within its tenant; a lookup by primary key. */
    Optional<StoredApiKey> find(TenantId tenant, ApiKeyId id);

    /** The keys of one owner, revoked ones included, newest first. */
    List<ApiKey> list(TenantId tenant, UserId owner);

    /** Revokes an owner's key at {@code at}; false if no such unrevoked key of that owner exists. */
    boolean revoke(TenantId tenant, UserId owner, ApiKeyId id, Instant at);

    /** Records that a key authenticated at {@code at}. */
    void recordUse(TenantId tenant, ApiKeyId id, Instant at);
}
