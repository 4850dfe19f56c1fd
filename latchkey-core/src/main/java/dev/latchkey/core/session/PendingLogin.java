package dev.latchkey.core.session;

import dev.latchkey.core.grant.Ciphertext;
import dev.latchkey.core.tenant.TenantId;
import java.time.Instant;

/**
 * A login waiting for its callback: stored under the SHA-256 of its {@code state}, bound to the
 * browser that started it by the SHA-256 of a pre-login cookie, with its nonce, PKCE verifier and
 * return address sealed.
 */
public record PendingLogin(
        TenantId tenant, String stateHash, String bindingHash, Ciphertext sealed, Instant expiresAt) {}
