package dev.latchkey.core.session;

import dev.latchkey.core.identity.UserId;
import dev.latchkey.core.tenant.TenantId;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Browser sessions, shared by every replica: a logout or back-channel logout on one ends the
 * session on all. Every call is scoped to one tenant. Thread-safe; an unreachable store throws an
 * unchecked exception of the adapter.
 */
public interface BrowserSessionStore {

    /** Stores a new session. */
    void create(BrowserSession session);

    /** A session by the hash of its id. */
    Optional<BrowserSession> find(TenantId tenant, String idHash);

    /** Moves the session's last activity to {@code now} (callers do it at most once a minute). */
    void touch(TenantId tenant, String idHash, Instant now);

    /**
     * Claims the refresh of the session's IdP tokens until {@code until} if no claim is live at
     * {@code now}: of concurrent callers on every replica, at most one succeeds while a claim lasts.
     */
    boolean claimIdpRefresh(TenantId tenant, String idHash, Instant now, Instant until);

    /** Replaces the session's sealed IdP tokens after a refresh and releases the claim. */
    void storeIdpTokens(
            TenantId tenant,
            String idHash,
            dev.latchkey.core.grant.Ciphertext sealed,
            @org.jspecify.annotations.Nullable Instant idpExpiresAt);

    /**
     * Ends one session.
     *
     * @return the ended session, if it existed
     */
    Optional<BrowserSession> delete(TenantId tenant, String idHash);

    /**
     * Ends the sessions of one IdP session ({@code sid}), or of one IdP subject when {@code sid} is
     * absent — the two ways a back-channel logout token names what ended.
     *
     * @return the id hashes of the ended sessions
     */
    List<String> deleteByIdp(TenantId tenant, String issuer, Optional<String> sid, Optional<String> subject);

    /**
     * Ends every session of a user.
     *
     * @return the id hashes of the ended sessions
     */
    List<String> deleteUser(TenantId tenant, UserId user);

    /**
     * Deletes sessions past their absolute end or idle since before {@code idleBefore}.
     *
     * @return how many were deleted
     */
    int purge(Instant now, Instant idleBefore);
}
