package dev.latchkey.core.identity;

import dev.latchkey.core.tenant.TenantId;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * What is known about an API key, without anything that would let one use it: safe to list, log
 * and return from the API.
 *
 * @param tenant the only tenant the key works in
 * @param id the key's public id
 * @param owner the user (or service id) the key acts as
 * @param scopes the scopes the key grants
 * @param expiresAt when the key stops working, if it expires
 * @param revokedAt when the key was revoked, if it was
 * @param createdAt when the key was created
 * @param lastUsedAt when the key last authenticated, approximately (recorded at most every few
 *     minutes)
 */
public record ApiKey(
        TenantId tenant,
        ApiKeyId id,
        UserId owner,
        Set<String> scopes,
        @Nullable Instant expiresAt,
        @Nullable Instant revokedAt,
        Instant createdAt,
        @Nullable Instant lastUsedAt) {

    public ApiKey {
        scopes = Set.copyOf(scopes);
    }

    public Optional<Instant> expiry() {
        return Optional.ofNullable(expiresAt);
    }

    public Optional<Instant> revocation() {
        return Optional.ofNullable(revokedAt);
    }

    public Optional<Instant> lastUse() {
        return Optional.ofNullable(lastUsedAt);
    }

    /** Whether the key is expired at {@code now} (an expiry instant is already too late). */
    public boolean isExpiredAt(Instant now) {
        return expiresAt != null && !now.isBefore(expiresAt);
    }
}
