package dev.latchkey.core.session;

import dev.latchkey.core.identity.UserId;
import dev.latchkey.core.tenant.TenantId;
import java.time.Instant;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A family of rotating refresh tokens: one per exchange of a one-time code, owned by one user of
 * one tenant, optionally tied to the browser session that produced the code (so that ending that
 * session ends the family).
 *
 * @param browserSession the SHA-256 of the browser session id the family came from, if any
 * @param lastUsedAt the last rotation (or the creation); the idle limit counts from here
 * @param revokedAt when the family was revoked (reuse, logout, administrator), if it was
 * @param revokedReason a fixed lower-case code saying why
 */
public record RefreshFamily(
        TenantId tenant,
        FamilyId id,
        UserId user,
        @Nullable String browserSession,
        Instant createdAt,
        Instant lastUsedAt,
        @Nullable Instant revokedAt,
        @Nullable String revokedReason) {

    /** A new, live family. */
    public static RefreshFamily create(
            TenantId tenant, FamilyId id, UserId user, @Nullable String browserSession, Instant now) {
        return new RefreshFamily(tenant, id, user, browserSession, now, now, null, null);
    }

    public boolean revoked() {
        return revokedAt != null;
    }

    public Optional<String> browserSessionIfAny() {
        return Optional.ofNullable(browserSession);
    }
}
