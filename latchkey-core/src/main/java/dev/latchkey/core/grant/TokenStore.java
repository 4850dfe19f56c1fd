package dev.latchkey.core.grant;

import dev.latchkey.core.identity.UserId;
import dev.latchkey.core.tenant.TenantId;
import java.util.List;

/**
 * The canonical store of downstream token sets, one row per grant. Implementations are
 * thread-safe and safe to share between replicas: every write is a compare-and-set on the row's
 * version, so no writer ever overwrites a token set it has not seen.
 */
public interface TokenStore {

    /** Reads the grant for a key. */
    GrantLookup find(GrantKey key);

    /**
     * Stores {@code tokens} for {@code key} only if the row still has {@code expectedVersion} (0 =
     * only if no row exists). Never overwrites a newer write: a lost race returns what is stored.
     */
    StoreResult compareAndSet(GrantKey key, long expectedVersion, TokenSet tokens);

    /**
     * Deletes the grant only if it still has {@code expectedVersion}.
     *
     * @return whether a row was deleted
     */
    boolean delete(GrantKey key, long expectedVersion);

    /** The readable grants of one user in one tenant, ordered by resource name. */
    List<VersionedTokenSet> listForUser(TenantId tenant, UserId user);
}
