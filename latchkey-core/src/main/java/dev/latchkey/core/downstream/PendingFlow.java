package dev.latchkey.core.downstream;

import dev.latchkey.core.grant.Ciphertext;
import dev.latchkey.core.grant.ResourceName;
import dev.latchkey.core.identity.UserId;
import dev.latchkey.core.tenant.TenantId;
import java.time.Instant;

/**
 * A connect flow waiting for its callback, as stored: who started it for which resource, the
 * SHA-256 of its {@code state} (the value itself is only in the sealed part and in the user's
 * browser) and the sealed details (state, PKCE verifier, redirect URI, scopes, return address).
 */
public record PendingFlow(
        TenantId tenant, UserId user, ResourceName resource, String stateHash, Ciphertext sealed, Instant expiresAt) {}
