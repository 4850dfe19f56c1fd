package dev.latchkey.core.grant;

import dev.latchkey.core.crypto.AssociatedData;
import dev.latchkey.core.crypto.Cipher;
import dev.latchkey.core.crypto.DecryptionFailedException;
import dev.latchkey.core.identity.UserId;
import dev.latchkey.core.tenant.TenantId;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The {@link TokenStore}: seals every token set with the {@link Cipher}, bound to its grant key as
 * associated data, before handing it to a {@link SealedTokenStore}, and opens what it reads. A row
 * that does not open for its key (moved, corrupted, sealed under a disabled key) reads as {@link
 * GrantLookup.Unreadable} and is reported, never thrown. Rows sealed under an older key are
 * resealed under the primary as they are read, without changing their version.
 */
public final class EncryptedTokenStore implements TokenStore {

    /** What the store reports; metrics and audit subscribe. Methods must not throw. */
    public interface Listener {
        /** A row failed to decrypt or decode for its key. */
        default void unreadable(GrantKey key, String reason) {}

        /** A row was resealed under the primary key. */
        default void resealed(GrantKey key) {}

        Listener NONE = new Listener() {};
    }

    private final SealedTokenStore sealed;
    private final Cipher cipher;
    private final Listener listener;

    public EncryptedTokenStore(SealedTokenStore sealed, Cipher cipher, Listener listener) {
        this.sealed = sealed;
        this.cipher = cipher;
        this.listener = listener;
    }

    @Override
    public GrantLookup find(GrantKey key) {
        return sealed.find(key).map(this::open).orElseGet(() -> new GrantLookup.Missing(key));
    }

    @Override
    public StoreResult compareAndSet(GrantKey key, long expectedVersion, TokenSet tokens) {
        Ciphertext ciphertext = cipher.seal(TokenSetCodec.encode(tokens), AssociatedData.forGrant(key));
        SealedWrite write = sealed.compareAndSet(key, expectedVersion, ciphertext, tokens.expiresAt());
        return switch (write) {
            case SealedWrite.Written written ->
                new StoreResult.Stored(new VersionedTokenSet(key, written.version(), tokens));
            case SealedWrite.Conflict conflict ->
                new StoreResult.LostRace(
                        conflict.current().map(this::open).orElseGet(() -> new GrantLookup.Missing(key)));
        };
    }

    @Override
    public boolean delete(GrantKey key, long expectedVersion) {
        return sealed.delete(key, expectedVersion);
    }

    @Override
    public List<VersionedTokenSet> listForUser(TenantId tenant, UserId user) {
        List<VersionedTokenSet> grants = new ArrayList<>();
        for (SealedGrant row : sealed.listForUser(tenant, user)) {
            if (open(row) instanceof GrantLookup.Found found) {
                grants.add(found.grant());
            }
        }
        return List.copyOf(grants);
    }

    /**
     * Reseals every row not sealed under the primary key, page by page. Safe to run while the store
     * is in use: a row written meanwhile is skipped (it was sealed under the primary anyway).
     *
     * @return how many rows were resealed
     */
    public long resealAll(int pageSize) {
        long count = 0;
        @Nullable GrantKey after = null;
        while (true) {
            List<SealedGrant> page = sealed.page(after, pageSize);
            for (SealedGrant row : page) {
                if (!cipher.isSealedWithPrimary(row.ciphertext()) && reseal(row)) {
                    count++;
                }
            }
            if (page.size() < pageSize) {
                return count;
            }
            after = page.getLast().key();
        }
    }

    private GrantLookup open(SealedGrant row) {
        Optional<TokenSet> tokens = decrypt(row);
        if (tokens.isEmpty()) {
            return new GrantLookup.Unreadable(row.key(), row.version());
        }
        if (!cipher.isSealedWithPrimary(row.ciphertext())) {
            reseal(row, tokens.get());
        }
        return new GrantLookup.Found(new VersionedTokenSet(row.key(), row.version(), tokens.get()));
    }

    private boolean reseal(SealedGrant row) {
        return decrypt(row).map(tokens -> reseal(row, tokens)).orElse(false);
    }

    private boolean reseal(SealedGrant row, TokenSet tokens) {
        Ciphertext fresh = cipher.seal(TokenSetCodec.encode(tokens), AssociatedData.forGrant(row.key()));
        boolean done = sealed.reseal(row.key(), row.version(), fresh);
        if (done) {
            listener.resealed(row.key());
        }
        return done;
    }

    private Optional<TokenSet> decrypt(SealedGrant row) {
        try {
            byte[] plaintext = cipher.open(row.ciphertext(), AssociatedData.forGrant(row.key()));
            return Optional.of(TokenSetCodec.decode(plaintext));
        } catch (DecryptionFailedException e) {
            listener.unreadable(row.key(), "ciphertext_integrity_failure");
        } catch (ParseException e) {
            listener.unreadable(row.key(), "token_set_malformed");
        }
        return Optional.empty();
    }
}
