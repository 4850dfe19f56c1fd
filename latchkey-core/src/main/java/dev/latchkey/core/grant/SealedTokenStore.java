package dev.latchkey.core.grant;

import dev.latchkey.core.identity.UserId;
import dev.latchkey.core.tenant.TenantId;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The storage port for grants. It only ever sees ciphertext: the plaintext {@link TokenStore} is
 * {@link EncryptedTokenStore}, which seals before it calls this port, so no storage adapter can
 * write a token in the clear. Implementations are thread-safe and judge every compare-and-set
 * atomically in the database.
 */
public interface SealedTokenStore {

    Optional<SealedGrant> find(GrantKey key);

    /**
     * Writes the row only if its version is {@code expectedVersion} (0 = only if absent), then
     * increments the version.
     */
    SealedWrite compareAndSet(GrantKey key, long expectedVersion, Ciphertext ciphertext, @Nullable Instant expiresAt);

    /**
     * Replaces the ciphertext of an unchanged row with a re-encryption of the same plaintext,
     * keeping its version: a concurrent writer that read this version still wins its own write.
     *
     * @return whether the row still had {@code version} and was resealed
     */
    boolean reseal(GrantKey key, long version, Ciphertext ciphertext);

    /** Deletes the row only if it has {@code expectedVersion}. */
    boolean delete(GrantKey key, long expectedVersion);

    /** One user's rows in a tenant, ordered by resource name. */
    List<SealedGrant> listForUser(TenantId tenant, UserId user);

    /**
     * Rows in key order (tenant, user, resource) strictly after {@code after} (null: from the
     * start), at most {@code limit}; for background work such as re-encryption.
     */
    List<SealedGrant> page(@Nullable GrantKey after, int limit);
}
