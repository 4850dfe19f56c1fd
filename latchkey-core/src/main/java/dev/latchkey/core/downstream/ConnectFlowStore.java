package dev.latchkey.core.downstream;

import dev.latchkey.core.grant.ResourceName;
import dev.latchkey.core.identity.UserId;
import dev.latchkey.core.tenant.TenantId;
import java.time.Instant;
import java.util.Optional;

/**
 * Pending connect flows, shared by every replica (the callback may reach any of them). At most one
 * flow is pending per tenant, user and resource: a new one replaces it. Thread-safe.
 */
public interface ConnectFlowStore {

    /** The pending flow of a user for a resource, expired or not. */
    Optional<PendingFlow> pending(TenantId tenant, UserId user, ResourceName resource);

    /** Stores {@code flow}, replacing the pending flow of the same tenant, user and resource. */
    void put(PendingFlow flow);

    /**
     * Removes and returns the flow with this state hash: of concurrent callers with one state, at
     * most one gets it.
     */
    Optional<PendingFlow> take(TenantId tenant, String stateHash);

    /**
     * Removes flows that expired before {@code now}.
     *
     * @return how many were removed
     */
    int purgeExpired(Instant now);
}
