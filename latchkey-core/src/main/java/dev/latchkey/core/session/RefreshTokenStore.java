package dev.latchkey.core.session;

import dev.latchkey.core.grant.Ciphertext;
import dev.latchkey.core.identity.UserId;
import dev.latchkey.core.tenant.TenantId;
import java.time.Instant;
import java.util.Optional;

/**
 * Where refresh-token families and the hashes of their tokens live, shared by every replica. Every
 * lookup is by tenant and hash: a token of one tenant is unknown in every other. Implementations
 * are thread-safe; an unreachable store throws an unchecked exception of the adapter.
 */
public interface RefreshTokenStore {

    /** Stores a new family and its first token (generation 0). */
    void create(RefreshFamily family, String firstTokenHash);

    /** A token by hash, with its family. */
    Optional<Presented> find(TenantId tenant, String tokenHash);

    /** A family by id. */
    Optional<RefreshFamily> family(TenantId tenant, FamilyId family);

    /**
     * Rotates: marks {@code tokenHash} spent by {@code client} and stores {@code successorHash} as the
     * family's next token, atomically, and only if the token was unspent and its family live. Of
     * concurrent callers with one token, at most one succeeds.
     *
     * @return whether this caller rotated the token
     */
    boolean rotate(
            TenantId tenant,
            String tokenHash,
            String successorHash,
            Ciphertext sealedSuccessor,
            String client,
            Instant now);

    /**
     * Revokes a family (idempotent: the first reason stays).
     *
     * @return whether it was live until now
     */
    boolean revoke(TenantId tenant, FamilyId family, String reason, Instant now);

    /**
     * Revokes every live family of a user.
     *
     * @return how many were revoked
     */
    int revokeUser(TenantId tenant, UserId user, String reason, Instant now);

    /**
     * Revokes every live family that came from a browser session.
     *
     * @param browserSession the SHA-256 of the browser session id
     * @return how many were revoked
     */
    int revokeBrowserSession(TenantId tenant, String browserSession, String reason, Instant now);

    /**
     * Deletes families (and their tokens) created before {@code createdBefore} or idle since before
     * {@code idleBefore}: they can no longer be used, and keeping their hashes forever grows the table.
     *
     * @return how many families were deleted
     */
    int purge(Instant createdBefore, Instant idleBefore);

    /** A presented token's row and its family. */
    record Presented(StoredRefreshToken token, RefreshFamily family) {}
}
