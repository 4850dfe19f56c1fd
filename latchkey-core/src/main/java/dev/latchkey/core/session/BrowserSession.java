package dev.latchkey.core.session;

import dev.latchkey.core.grant.Ciphertext;
import dev.latchkey.core.identity.UserId;
import dev.latchkey.core.tenant.TenantId;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * A browser's login session (C3): the browser holds only a random id in an {@code HttpOnly} cookie;
 * this is what the server keeps, under the id's SHA-256. The IdP's tokens are sealed, bound to the
 * tenant and the id hash.
 *
 * @param idHash the SHA-256 of the session id
 * @param expiresAt the absolute end, however active the session is
 * @param idpSid the IdP's session id ({@code sid} of the ID token), for back-channel logout
 * @param idpSubject the user's subject at the IdP, for back-channel logout by {@code sub}
 * @param sealedIdpTokens the ID token (for {@code id_token_hint}) and the IdP's other tokens
 * @param idpExpiresAt when the IdP's access token expires, if it said
 */
public record BrowserSession(
        TenantId tenant,
        String idHash,
        UserId user,
        Instant createdAt,
        Instant lastSeenAt,
        Instant expiresAt,
        String idpIssuer,
        @Nullable String idpSid,
        String idpSubject,
        Ciphertext sealedIdpTokens,
        @Nullable Instant idpExpiresAt) {}
