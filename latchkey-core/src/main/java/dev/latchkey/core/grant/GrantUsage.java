package dev.latchkey.core.grant;

import java.time.Instant;
import java.util.List;

/**
 * When each grant was last handed out, and which grants are therefore worth refreshing before
 * their access token expires (DESIGN.md C5, proactive refresh). A grant nobody uses is left to
 * expire. Implementations are thread-safe and shared by every replica; use is recorded in the
 * grant's own row, so a deleted or reconnected grant starts unused.
 */
public interface GrantUsage {

    /**
     * Records that the grant was handed out at {@code at}. Never moves the recorded time back, and
     * does nothing when no grant is stored; never changes the grant's version or tokens.
     */
    void recordUse(GrantKey key, Instant at);

    /**
     * The first page of grants due for a proactive refresh: stored, with an access token expiring
     * at or after {@code expiringFrom} and before {@code expiringBefore}, used at or after {@code
     * usedSince}, and not leased by a refresh right now. Ordered by expiry, then key, across every
     * tenant; at most {@code limit}.
     */
    List<DueGrant> dueForRefresh(Instant expiringFrom, Instant expiringBefore, Instant usedSince, int limit);

    /**
     * The next page of {@link #dueForRefresh(Instant, Instant, Instant, int)}: the due grants that
     * come strictly after {@code after} in its order.
     */
    List<DueGrant> dueForRefresh(DueGrant after, Instant expiringBefore, Instant usedSince, int limit);

    /** A grant due for refresh and when its access token expires (also the position of a page). */
    record DueGrant(GrantKey key, Instant expiresAt) {}
}
