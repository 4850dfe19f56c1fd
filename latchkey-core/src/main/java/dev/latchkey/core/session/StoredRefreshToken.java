package dev.latchkey.core.session;

import dev.latchkey.core.grant.Ciphertext;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * What is stored of one refresh token Latchkey issued: its SHA-256 (never the token), its family,
 * and — once spent — when, by which client, and its successor, sealed, so that a client retrying a
 * lost response within the grace window gets the same answer.
 *
 * @param hash the token's SHA-256, lower-case hex
 * @param generation 0 for the token an exchange issued, +1 per rotation
 * @param spentAt when it was rotated, if it was
 * @param spentBy the fingerprint of the client that rotated it (see {@link ClientContext})
 * @param sealedSuccessor the refresh token that replaced it, sealed bound to tenant, family and this
 *     token's hash
 */
public record StoredRefreshToken(
        String hash,
        FamilyId family,
        int generation,
        Instant issuedAt,
        @Nullable Instant spentAt,
        @Nullable String spentBy,
        @Nullable Ciphertext sealedSuccessor) {

    public boolean spent() {
        return spentAt != null;
    }
}
