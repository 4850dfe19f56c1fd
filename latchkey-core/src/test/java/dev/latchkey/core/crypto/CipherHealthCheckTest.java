package dev.latchkey.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import dev.latchkey.core.grant.Ciphertext;
import org.junit.jupiter.api.Test;

class CipherHealthCheckTest {

    @Test
    void check_workingKeyset_up() throws Exception {
        assertThat(new CipherHealthCheck(TinkCipher.of(Keyset.generate()))
                        .check()
                        .healthy())
                .isTrue();
    }

    @Test
    void check_cipherThatCannotOpen_downWithoutDetailsOfTheFailure() {
        Cipher broken = new Cipher() {
            @Override
            public Ciphertext seal(byte[] plaintext, AssociatedData context) {
                return Ciphertext.of(plaintext);
            }

            @Override
            public byte[] open(Ciphertext ciphertext, AssociatedData context) throws DecryptionFailedException {
                throw new DecryptionFailedException("no");
            }

            @Override
            public boolean isSealedWithPrimary(Ciphertext ciphertext) {
                return false;
            }
        };

        assertThat(new CipherHealthCheck(broken).check())
                .satisfies(status -> assertThat(status.healthy()).isFalse())
                .satisfies(status -> assertThat(status.detail()).contains("DecryptionFailedException"));
    }
}
