package dev.latchkey.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.latchkey.core.grant.Ciphertext;
import dev.latchkey.core.grant.GrantKey;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class TinkCipherTest {
    private static final byte[] PLAINTEXT = "refresh-token-value".getBytes(StandardCharsets.UTF_8);
    private static final AssociatedData U1 = AssociatedData.forGrant(GrantKey.of("acme", "u1", "graph"));
    private static final AssociatedData U2 = AssociatedData.forGrant(GrantKey.of("acme", "u2", "graph"));
    private static final AssociatedData OTHER_TENANT = AssociatedData.forGrant(GrantKey.of("globex", "u1", "graph"));

    private final Keyset keyset = Keyset.generate();

    @Test
    void open_sameContext_returnsPlaintext() throws Exception {
        TinkCipher cipher = TinkCipher.of(keyset);

        Ciphertext sealed = cipher.seal(PLAINTEXT, U1);

        assertThat(cipher.open(sealed, U1)).isEqualTo(PLAINTEXT);
        assertThat(new String(sealed.bytes(), StandardCharsets.ISO_8859_1)).doesNotContain("refresh-token-value");
    }

    @Test
    void open_otherUserOrTenant_fails() throws Exception {
        TinkCipher cipher = TinkCipher.of(keyset);
        Ciphertext sealed = cipher.seal(PLAINTEXT, U1);

        assertThatThrownBy(() -> cipher.open(sealed, U2)).isInstanceOf(DecryptionFailedException.class);
        assertThatThrownBy(() -> cipher.open(sealed, OTHER_TENANT)).isInstanceOf(DecryptionFailedException.class);
    }

    @Test
    void open_alteredCiphertext_failsForEveryKindOfDamage() throws Exception {
        TinkCipher cipher = TinkCipher.of(keyset);
        byte[] good = cipher.seal(PLAINTEXT, U1).bytes();
        byte[] flipped = good.clone();
        flipped[flipped.length / 2] ^= 0x01;

        for (byte[] damaged : new byte[][] {
            flipped,
            Arrays.copyOf(good, good.length - 1),
            new byte[0],
            "random bytes of noise".getBytes(StandardCharsets.UTF_8)
        }) {
            assertThatThrownBy(() -> cipher.open(Ciphertext.of(damaged), U1))
                    .isInstanceOf(DecryptionFailedException.class)
                    .hasMessageNotContaining("refresh-token-value");
        }
    }

    @Test
    void open_sealedByForeignKeyset_fails() throws Exception {
        Ciphertext foreign = TinkCipher.of(Keyset.generate()).seal(PLAINTEXT, U1);

        assertThatThrownBy(() -> TinkCipher.of(keyset).open(foreign, U1)).isInstanceOf(DecryptionFailedException.class);
    }

    @Test
    void rotate_oldCiphertextStillOpensButIsNotSealedWithPrimary() throws Exception {
        Ciphertext old = TinkCipher.of(keyset).seal(PLAINTEXT, U1);
        Keyset rotated = keyset.rotate();
        TinkCipher cipher = TinkCipher.of(rotated);

        assertThat(cipher.open(old, U1)).isEqualTo(PLAINTEXT);
        assertThat(cipher.isSealedWithPrimary(old)).isFalse();
        assertThat(cipher.isSealedWithPrimary(cipher.seal(PLAINTEXT, U1))).isTrue();
        assertThat(rotated.primaryKeyId()).isNotEqualTo(keyset.primaryKeyId());
        assertThat(rotated.describe())
                .hasSize(2)
                .filteredOn(Keyset.KeyInfo::primary)
                .hasSize(1);
    }

    @Test
    void disable_oldKey_itsCiphertextsNoLongerOpen() throws Exception {
        Ciphertext old = TinkCipher.of(keyset).seal(PLAINTEXT, U1);
        Keyset disabled = keyset.rotate().disable(keyset.primaryKeyId());

        assertThatThrownBy(() -> TinkCipher.of(disabled).open(old, U1)).isInstanceOf(DecryptionFailedException.class);
    }

    @Test
    void disable_primaryOrUnknownKey_rejectedWithReason() {
        assertThatThrownBy(() -> keyset.disable(keyset.primaryKeyId()))
                .isInstanceOf(InvalidKeysetException.class)
                .hasMessageContaining("primary");
        assertThatThrownBy(() -> keyset.disable(12345L))
                .isInstanceOf(InvalidKeysetException.class)
                .hasMessageContaining("no key with id 12345");
    }

    @Test
    void fromJson_roundTripsAndRejectsGarbageWithoutEchoingIt() throws Exception {
        Keyset parsed = Keyset.fromJson(keyset.toJson());
        Ciphertext sealed = TinkCipher.of(keyset).seal(PLAINTEXT, U1);
        assertThat(TinkCipher.of(parsed).open(sealed, U1)).isEqualTo(PLAINTEXT);

        for (String garbage : new String[] {"", "{}", "not json", "{\"primaryKeyId\":1,\"key\":[]}"}) {
            assertThatThrownBy(() -> Keyset.fromJson(garbage))
                    .isInstanceOf(InvalidKeysetException.class)
                    .hasMessageStartingWith("not a Tink JSON keyset");
        }
    }

    @Test
    void toStringAndDescribe_neverShowKeyMaterial() {
        String json = keyset.toJson();
        String keyValue = json.replaceAll("(?s).*\"value\":\\s*\"([^\"]+)\".*", "$1");

        assertThat(keyValue).isNotBlank().isNotEqualTo(json);
        assertThat(keyset.toString()).doesNotContain(keyValue);
        assertThat(keyset.describe().toString()).doesNotContain(keyValue);
    }
}
