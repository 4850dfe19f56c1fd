package dev.latchkey.core.session;

import dev.latchkey.core.identity.UserId;
import dev.latchkey.core.tenant.TenantId;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * A one-time code that hands a browser login to a cross-origin panel (C4): single use, short-lived,
 * bound to the tenant, the user and the panel's origin. Only its SHA-256 is stored.
 *
 * @param hash the code's SHA-256, lower-case hex
 * @param origin the panel origin the code was issued for; only that origin may redeem it
 * @param browserSession the SHA-256 of the browser session it came from, if any
 * @param family the family its redemption created (set when redeemed), so a second redemption can
 *     revoke what the first one issued (RFC 6749 §4.1.2)
 */
public record SessionCode(
        TenantId tenant,
        String hash,
        UserId user,
        String origin,
        @Nullable String browserSession,
        Instant expiresAt,
        @Nullable FamilyId family) {}
