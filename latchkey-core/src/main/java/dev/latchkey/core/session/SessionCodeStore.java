package dev.latchkey.core.session;

import dev.latchkey.core.tenant.TenantId;
import java.time.Instant;

/**
 * One-time session codes, shared by every replica. Thread-safe; an unreachable store throws an
 * unchecked exception of the adapter.
 */
public interface SessionCodeStore {

    /** Stores a new, unused code. */
    void put(SessionCode code);

    /**
     * Marks the code used by the family {@code family} — of concurrent callers with one code, at
     * most one gets {@link Redemption.Redeemed}; every later caller gets {@link Redemption.Reused}
     * naming the family the first one created.
     */
    Redemption redeem(TenantId tenant, String hash, FamilyId family, Instant now);

    /**
     * Deletes codes that expired before {@code before}.
     *
     * @return how many were deleted
     */
    int purge(Instant before);

    /** What redeeming a code found. */
    sealed interface Redemption {
        /** This caller is the first: the code as issued. */
        record Redeemed(SessionCode code) implements Redemption {}

        /** The code was redeemed before, by the family named in it. */
        record Reused(SessionCode code) implements Redemption {}

        /** No such code in this tenant. */
        record Unknown() implements Redemption {}
    }
}
