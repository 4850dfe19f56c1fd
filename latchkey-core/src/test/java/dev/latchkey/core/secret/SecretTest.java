package dev.latchkey.core.secret;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SecretTest {

    @Test
    void toString_anySecret_printsFingerprintNotValue() {
        Secret secret = Secret.of("eyJhbGciOiJSUzI1NiJ9.payload.signature");

        assertThat(secret.toString())
                .doesNotContain("eyJ")
                .doesNotContain("payload")
                .isEqualTo("Secret[sha256:" + secret.fingerprint() + "]");
        assertThat(String.valueOf(secret)).doesNotContain("signature");
    }

    @Test
    void fingerprint_isPrefixOfSha256() {
        Secret secret = Secret.of("abc");

        assertThat(secret.sha256()).isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assertThat(secret.fingerprint()).isEqualTo("ba7816bf8f01");
    }

    @Test
    void equals_sameValue_equalAndDifferentValue_notEqual() {
        assertThat(Secret.of("a")).isEqualTo(Secret.of("a")).hasSameHashCodeAs(Secret.of("a"));
        assertThat(Secret.of("a")).isNotEqualTo(Secret.of("b"));
    }

    @Test
    void of_empty_rejected() {
        assertThatThrownBy(() -> Secret.of("")).isInstanceOf(IllegalArgumentException.class);
    }
}
