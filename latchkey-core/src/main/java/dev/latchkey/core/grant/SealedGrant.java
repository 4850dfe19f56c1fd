package dev.latchkey.core.grant;

import java.time.Instant;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A grant's row as the database holds it: ciphertext only, plus the non-secret expiry used to
 * find grants that need a refresh.
 */
public record SealedGrant(
        GrantKey key,
        long version,
        Ciphertext ciphertext,
        @Nullable Instant expiresAt) {

    public Optional<Instant> expiry() {
        return Optional.ofNullable(expiresAt);
    }
}
