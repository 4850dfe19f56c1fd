package dev.latchkey.core.session;

import dev.latchkey.core.tenant.TenantId;
import java.time.Instant;
import java.util.Optional;

/**
 * Pending browser logins, shared by every replica. Thread-safe; an unreachable store throws an
 * unchecked exception of the adapter.
 */
public interface LoginFlowStore {

    /** Stores a pending login. */
    void put(PendingLogin login);

    /** Removes and returns the login with this state hash: of concurrent callers, at most one gets it. */
    Optional<PendingLogin> take(TenantId tenant, String stateHash);

    /** How many logins of the tenant are pending and unexpired (the cap against login floods, C3-18). */
    int pending(TenantId tenant, Instant now);

    /**
     * Deletes logins that expired before {@code now}.
     *
     * @return how many were deleted
     */
    int purge(Instant now);
}
