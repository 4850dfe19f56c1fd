package dev.latchkey.core.signing;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.latchkey.core.crypto.Keyset;
import dev.latchkey.core.crypto.TinkCipher;
import dev.latchkey.core.secret.DeploymentSecrets;
import dev.latchkey.core.secret.InMemoryDeploymentSecretStore;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.Test;

class SigningKeysTest {

    @Test
    void load_generatesOncePerDeployment_andEveryReplicaGetsTheSameKey() throws Exception {
        InMemoryDeploymentSecretStore store = new InMemoryDeploymentSecretStore();
        TinkCipher cipher = TinkCipher.of(Keyset.generate());

        SigningKeys first = SigningKeys.load(new DeploymentSecrets(store, cipher));
        SigningKeys second = SigningKeys.load(new DeploymentSecrets(store, cipher));

        assertThat(second.keyId()).isEqualTo(first.keyId()).isNotBlank();
    }

    @Test
    void publicJwks_holdsOnlyThePublicKey_whichVerifiesWhatTheSignerSigns() throws Exception {
        SigningKeys keys = SigningKeys.load(
                new DeploymentSecrets(new InMemoryDeploymentSecretStore(), TinkCipher.of(Keyset.generate())));

        Map<String, Object> jwks = keys.publicJwks();
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> published = (List<Map<String, Object>>) Objects.requireNonNull(jwks.get("keys"));
        assertThat(published).hasSize(1);
        assertThat(published.getFirst())
                .containsEntry("kty", "EC")
                .containsEntry("crv", "P-256")
                .containsEntry("kid", keys.keyId())
                .containsEntry("alg", "ES256")
                .doesNotContainKey("d");

        SignedJWT jwt = new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(keys.keyId()).build(),
                new JWTClaimsSet.Builder().subject("alice").build());
        jwt.sign(keys.signer());
        ECKey publicKey = ECKey.parse(published.getFirst());
        assertThat(publicKey.isPrivate()).isFalse();
        assertThat(SignedJWT.parse(jwt.serialize()).verify(new ECDSAVerifier(publicKey)))
                .isTrue();
    }
}
