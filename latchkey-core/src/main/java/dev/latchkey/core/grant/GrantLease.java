package dev.latchkey.core.grant;

import java.time.Duration;
import java.util.OptionalLong;

/**
 * A lease on one grant shared by every replica: while one holder has it, nobody else calls the
 * grant's token endpoint. Expiry is judged by one clock for all replicas (the database's), so a
 * holder that dies mid-refresh blocks the grant only until its lease runs out. Every acquisition
 * increments the grant's fence, so a holder can tell its lease from a later one.
 */
public interface GrantLease {

    /**
     * Takes the lease on {@code key} for {@code ttl} if nobody holds an unexpired one. A grant that
     * is not stored cannot be leased.
     *
     * @return the fence of the new lease, or empty if another holder has it or no grant is stored
     */
    OptionalLong tryAcquire(GrantKey key, String owner, Duration ttl);

    /**
     * Gives the lease back, only if {@code owner} still holds it under {@code fence}: a lease that
     * expired and was taken by another holder is left alone.
     *
     * @return whether the lease was released
     */
    boolean release(GrantKey key, String owner, long fence);
}
