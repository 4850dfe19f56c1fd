package dev.latchkey.core.grant;

import static org.assertj.core.api.Assertions.assertThat;

import dev.latchkey.core.crypto.InvalidKeysetException;
import dev.latchkey.core.crypto.Keyset;
import dev.latchkey.core.crypto.TinkCipher;
import dev.latchkey.core.identity.UserId;
import dev.latchkey.core.secret.Secret;
import dev.latchkey.core.tenant.TenantId;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EncryptedTokenStoreTest {
    private static final Instant EXPIRY = Instant.parse("2030-01-01T01:00:00Z");
    private static final GrantKey U1 = GrantKey.of("acme", "u1", "graph");
    private static final GrantKey U2 = GrantKey.of("acme", "u2", "graph");

    private final InMemorySealedTokenStore rows = new InMemorySealedTokenStore();
    private final List<String> reports = new ArrayList<>();
    private final EncryptedTokenStore.Listener listener = new EncryptedTokenStore.Listener() {
        @Override
        public void unreadable(GrantKey key, String reason) {
            reports.add("unreadable " + key + " " + reason);
        }

        @Override
        public void resealed(GrantKey key) {
            reports.add("resealed " + key);
        }
    };
    private Keyset keyset = Keyset.generate();

    private EncryptedTokenStore store() throws InvalidKeysetException {
        return new EncryptedTokenStore(rows, TinkCipher.of(keyset), listener);
    }

    private static TokenSet tokens(String suffix) {
        return new TokenSet(
                Secret.of("access-" + suffix), Secret.of("refresh-" + suffix), "Bearer", Set.of("read"), EXPIRY);
    }

    @Test
    void compareAndSet_thenFind_roundTripsEveryField() throws Exception {
        StoreResult result = store().compareAndSet(U1, 0, tokens("a"));

        assertThat(result).isInstanceOf(StoreResult.Stored.class);
        assertThat(store().find(U1)).isEqualTo(new GrantLookup.Found(new VersionedTokenSet(U1, 1, tokens("a"))));
        TokenSet noRefresh = new TokenSet(Secret.of("only-access"), null, "DPoP", Set.of(), null);
        store().compareAndSet(U2, 0, noRefresh);
        assertThat(store().find(U2)).isEqualTo(new GrantLookup.Found(new VersionedTokenSet(U2, 1, noRefresh)));
    }

    @Test
    void compareAndSet_storesOnlyCiphertext() throws Exception {
        store().compareAndSet(U1, 0, tokens("plain"));

        String raw = new String(rows.raw(U1).orElseThrow().ciphertext().bytes(), StandardCharsets.ISO_8859_1);
        assertThat(raw).doesNotContain("access-plain").doesNotContain("refresh-plain");
    }

    @Test
    void compareAndSet_staleVersion_returnsWinnerAndKeepsIt() throws Exception {
        store().compareAndSet(U1, 0, tokens("first"));
        store().compareAndSet(U1, 1, tokens("winner"));

        StoreResult late = store().compareAndSet(U1, 1, tokens("late"));

        assertThat(late)
                .isEqualTo(new StoreResult.LostRace(
                        new GrantLookup.Found(new VersionedTokenSet(U1, 2, tokens("winner")))));
        assertThat(store().find(U1).version()).isEqualTo(2);
    }

    @Test
    void compareAndSet_insertOverExistingRow_losesRace() throws Exception {
        store().compareAndSet(U1, 0, tokens("first"));

        assertThat(store().compareAndSet(U1, 0, tokens("second"))).isInstanceOf(StoreResult.LostRace.class);
    }

    @Test
    void find_ciphertextTransplantedToOtherUser_isUnreadableAndReported() throws Exception {
        store().compareAndSet(U1, 0, tokens("u1"));
        store().compareAndSet(U2, 0, tokens("u2"));
        rows.tamper(U2, rows.raw(U1).orElseThrow().ciphertext());

        assertThat(store().find(U2)).isEqualTo(new GrantLookup.Unreadable(U2, 1));
        assertThat(reports).containsExactly("unreadable acme/u2/graph ciphertext_integrity_failure");
        assertThat(store().listForUser(TenantId.of("acme"), UserId.of("u2"))).isEmpty();
    }

    @Test
    void compareAndSet_overUnreadableRow_replacesItAtItsVersion() throws Exception {
        store().compareAndSet(U1, 0, tokens("u1"));
        rows.tamper(U1, Ciphertext.of(new byte[] {1, 2, 3}));
        GrantLookup unreadable = store().find(U1);

        StoreResult result = store().compareAndSet(U1, unreadable.version(), tokens("reconnected"));

        assertThat(result).isInstanceOf(StoreResult.Stored.class);
        assertThat(store().find(U1)).isInstanceOf(GrantLookup.Found.class);
    }

    @Test
    void find_afterRotation_resealsUnderPrimaryKeepingVersion() throws Exception {
        store().compareAndSet(U1, 0, tokens("old"));
        keyset = keyset.rotate();
        TinkCipher rotated = TinkCipher.of(keyset);
        assertThat(rotated.isSealedWithPrimary(rows.raw(U1).orElseThrow().ciphertext()))
                .isFalse();

        GrantLookup found = store().find(U1);

        assertThat(found).isEqualTo(new GrantLookup.Found(new VersionedTokenSet(U1, 1, tokens("old"))));
        assertThat(rotated.isSealedWithPrimary(rows.raw(U1).orElseThrow().ciphertext()))
                .isTrue();
        assertThat(reports).containsExactly("resealed acme/u1/graph");
    }

    @Test
    void reseal_doesNotDefeatConcurrentWriter() throws Exception {
        store().compareAndSet(U1, 0, tokens("old"));
        keyset = keyset.rotate();
        store().find(U1);

        // a refresh that read version 1 before the reseal still wins its write
        assertThat(store().compareAndSet(U1, 1, tokens("refreshed"))).isInstanceOf(StoreResult.Stored.class);
    }

    @Test
    void resealAll_resealsEveryOldRowAcrossPages() throws Exception {
        for (int i = 0; i < 25; i++) {
            store().compareAndSet(GrantKey.of("acme", "user" + i, "graph"), 0, tokens("n" + i));
        }
        keyset = keyset.rotate();

        assertThat(store().resealAll(10)).isEqualTo(25);
        assertThat(store().resealAll(10)).isZero();
        TinkCipher rotated = TinkCipher.of(keyset);
        assertThat(rows.page(null, 100))
                .allSatisfy(row -> assertThat(rotated.isSealedWithPrimary(row.ciphertext()))
                        .isTrue());
    }

    @Test
    void find_afterOldKeyDisabled_unmigratedRowIsUnreadable() throws Exception {
        store().compareAndSet(U1, 0, tokens("old"));
        long oldKey = keyset.primaryKeyId();
        keyset = keyset.rotate().disable(oldKey);

        assertThat(store().find(U1)).isEqualTo(new GrantLookup.Unreadable(U1, 1));
    }

    @Test
    void listForUser_onlyThatTenantsUser() throws Exception {
        store().compareAndSet(GrantKey.of("acme", "u1", "a"), 0, tokens("1"));
        store().compareAndSet(GrantKey.of("acme", "u1", "b"), 0, tokens("2"));
        store().compareAndSet(GrantKey.of("globex", "u1", "a"), 0, tokens("3"));

        assertThat(store().listForUser(TenantId.of("acme"), UserId.of("u1")))
                .extracting(grant -> grant.key().resource().value())
                .containsExactly("a", "b");
    }
}
