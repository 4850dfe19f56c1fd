package dev.latchkey.core.inbound;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64;
import com.nimbusds.jose.util.Base64URL;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** C1-01, C1-02, C1-04, C1-05, C1-07, C1-13, C1-14: tokens built to be accepted by a careless verifier. */
class HostileTokenTest extends ValidatorFixture {

    // C1-01: alg none in any spelling, with valid claims and an empty signature.
    @ParameterizedTest
    @ValueSource(strings = {"none", "None", "NONE", "nOnE"})
    void validate_algNone_rejectedWithoutFetchingKeys(String alg) {
        String token = Tokens.unsigned("{\"alg\":\"" + alg + "\",\"typ\":\"JWT\"}", claimsA(), new byte[0]);

        assertInvalid(validate(null, token), "alg_not_allowed");
        assertInvalid(validate(A, token), "alg_not_allowed");
        assertThat(keysA.totalHits()).isZero();
    }

    @Test
    void validate_signatureStripped_malformed() {
        String token = tokenA();
        String stripped = token.substring(0, token.lastIndexOf('.') + 1);

        assertInvalid(validate(A, stripped), "malformed");
        assertInvalid(validate(A, stripped.substring(0, stripped.length() - 1)), "malformed");
        assertThat(keysA.totalHits()).isZero();
    }

    // C1-02: HS256 keyed with the tenant's RSA public key in every representation.
    @Test
    void validate_hmacKeyedWithRsaPublicKey_rejectedWithoutFetchingKeys() throws JOSEException {
        String pem = "-----BEGIN PUBLIC KEY-----\n"
                + Base64.encode(K1.toPublicKey().getEncoded())
                + "\n-----END PUBLIC KEY-----";
        List<byte[]> secrets = List.of(
                pem.getBytes(StandardCharsets.US_ASCII),
                (pem + "\n").getBytes(StandardCharsets.US_ASCII),
                K1.toPublicKey().getEncoded(),
                K1.toPublicJWK().toJSONString().getBytes(StandardCharsets.UTF_8),
                K1.getModulus().decode());
        for (byte[] secret : secrets) {
            String token = Tokens.sign(
                    new MACSigner(secret),
                    new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("k1").build(),
                    claimsA());

            assertInvalid(validate(A, token), "alg_not_allowed");
            assertInvalid(validate(null, token), "alg_not_allowed");
        }
        assertThat(keysA.totalHits()).isZero();
    }

    // C1-04: the header's own key is never used.
    @Test
    void validate_embeddedJwkOfAttacker_rejected() throws JOSEException {
        RSAKey attacker = Tokens.rsaKey("k1");
        for (String kid : new String[] {"k1", null}) {
            JWSHeader header = new JWSHeader.Builder(JWSAlgorithm.RS256)
                    .keyID(kid)
                    .jwk(attacker.toPublicJWK())
                    .build();
            String token = Tokens.sign(new RSASSASigner(attacker), header, claimsA());

            assertInvalid(validate(A, token), "bad_signature");
        }
    }

    // C1-05: jku and x5u are never fetched, x5c never used.
    @Test
    void validate_jkuAndX5uPointingAtAttacker_neverContacted() throws Exception {
        RSAKey attacker = Tokens.rsaKey("evil");
        try (KeyServer evil = KeyServer.start()) {
            evil.publish(attacker);
            JWSHeader jku = new JWSHeader.Builder(JWSAlgorithm.RS256)
                    .keyID("evil")
                    .jwkURL(evil.uri(KeyServer.JWKS_PATH))
                    .build();
            JWSHeader x5u = new JWSHeader.Builder(JWSAlgorithm.RS256)
                    .keyID("evil")
                    .x509CertURL(evil.uri("/cert.pem"))
                    .build();
            JWSHeader metadata = new JWSHeader.Builder(JWSAlgorithm.RS256)
                    .jwkURL(java.net.URI.create("http://169.254.169.254/latest/meta-data/"))
                    .build();

            for (JWSHeader header : List.of(jku, x5u, metadata)) {
                Validation outcome = validate(A, Tokens.sign(new RSASSASigner(attacker), header, claimsA()));
                assertThat(outcome).isInstanceOf(Validation.Invalid.class);
            }
            assertThat(evil.totalHits()).isZero();
        }
    }

    @Test
    void validate_x5cWithSelfSignedCertificateOfSigner_rejected() throws Exception {
        SelfSignedCertificate attacker = SelfSignedCertificate.generate();
        JWSHeader header = new JWSHeader.Builder(JWSAlgorithm.RS256)
                .x509CertChain(List.of(Base64.encode(attacker.certificate().getEncoded())))
                .build();
        String token = Tokens.sign(new RSASSASigner(attacker.privateKey()), header, claimsA());

        assertInvalid(validate(A, token), "bad_signature");
    }

    // C1-07: CVE-2022-21449 "psychic signatures".
    @Test
    void validate_es256PsychicSignatures_rejected() {
        int feature = Runtime.version().feature();
        assertThat(feature < 15 || feature > 18)
                .as("JDK 15-18 had CVE-2022-21449")
                .isTrue();
        ECKey ec = Tokens.ecKey("ec1");
        keysA.publish(K1, ec);
        byte[] order =
                unsigned32(new BigInteger("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551", 16));
        byte[] one = new byte[32];
        one[31] = 1;
        List<byte[]> signatures = List.of(new byte[64], concat(order, order), concat(new byte[32], one));
        for (byte[] signature : signatures) {
            String token = Tokens.unsigned("{\"alg\":\"ES256\",\"kid\":\"ec1\"}", claimsA(), signature);

            assertInvalid(validate(A, token), "bad_signature");
        }
        assertValid(validate(A, Tokens.signEs256(ec, claimsA())));
    }

    // C1-13: encrypted and nested tokens are refused without decryption or decompression.
    @Test
    void validate_jweAndNestedTokens_rejected() throws JOSEException {
        String pbes2 = Tokens.b64(
                "{\"alg\":\"PBES2-HS512+A256KW\",\"p2c\":2147483647,\"enc\":\"A256GCM\"," + "\"p2s\":\"c2FsdHNhbHQ\"}");
        String zip = Tokens.b64("{\"alg\":\"RSA-OAEP-256\",\"enc\":\"A256GCM\",\"zip\":\"DEF\"}");
        for (String header : List.of(pbes2, zip)) {
            assertInvalid(validate(A, header + ".AAAA.AAAA.AAAA.AAAA"), "jwe_not_accepted");
        }
        String inner = Tokens.unsigned("{\"alg\":\"none\"}", claimsA(), new byte[0]);
        for (String cty : List.of("JWT", "jwt", "application/JWT")) {
            JWSHeader nested = Tokens.rs256(K1).contentType(cty).build();
            String outer = Tokens.sign(new RSASSASigner(K1), nested, inner);

            assertInvalid(validate(A, outer), "nested_token");
        }
    }

    // C1-14: wide and deep payloads.
    @Test
    void validate_oversizedAndDeepPayloads_invalidWithoutStackOverflow() throws JOSEException {
        StringBuilder wide = new StringBuilder("{\"iss\":\"" + ISSUER_A + "\"");
        for (int i = 0; i < 10_000; i++) {
            wide.append(",\"c").append(i).append("\":").append(i);
        }
        wide.append('}');
        String deep = "{\"a\":".repeat(10_000) + "1" + "}".repeat(10_000);
        String deepButSmall = "{\"a\":".repeat(1_000) + "1" + "}".repeat(1_000);
        RSASSASigner signer = new RSASSASigner(K1);

        assertInvalid(validate(A, Tokens.sign(signer, Tokens.rs256(K1).build(), wide.toString())), "too_large");
        assertInvalid(validate(A, Tokens.sign(signer, Tokens.rs256(K1).build(), deep)), "too_large");
        Validation small = validate(A, Tokens.sign(signer, Tokens.rs256(K1).build(), deepButSmall));
        assertThat(small).isInstanceOf(Validation.Invalid.class);
        String deepHeader = Tokens.b64("{\"alg\":\"RS256\",\"x\":" + "[".repeat(3_000) + "]".repeat(3_000) + "}");
        assertThat(validate(A, deepHeader + "." + Tokens.b64("{}") + ".AAAA")).isInstanceOf(Validation.Invalid.class);
        assertInvalid(validate(A, "a".repeat(1024 * 1024)), "too_large");
    }

    @ParameterizedTest
    @ValueSource(strings = {".", "..", "...", "a.b", "a.b.c.d", "a..c", ".b.c", "a b.c.d", "€.€.€", "e30.e30.e30"})
    void validate_garbage_invalid(String garbage) {
        assertThat(validate(A, garbage)).isInstanceOf(Validation.Invalid.class);
        assertThat(validate(null, garbage)).isInstanceOf(Validation.Invalid.class);
    }

    // Base64url with non-zero unused bits decodes to the same signature: such a token would be a
    // second spelling of a genuine one, defeating caches and replay checks keyed by its hash.
    @Test
    void validate_nonCanonicalSignatureEncoding_malformed() {
        String token = tokenA();
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        int last = alphabet.indexOf(token.charAt(token.length() - 1));
        String variant = token.substring(0, token.length() - 1) + alphabet.charAt(last | 1);
        String signature = token.substring(token.lastIndexOf('.') + 1);
        String variantSignature = variant.substring(variant.lastIndexOf('.') + 1);
        assertThat(new Base64URL(variantSignature).decode()).isEqualTo(new Base64URL(signature).decode());

        assertValid(validate(A, token));
        assertInvalid(validate(A, variant), "malformed");
    }

    @Test
    void validate_typeHeaderConfusion_rejectedWhenTypeRequired() {
        validator = validator(policy -> policy.requiredType("at+jwt"), ValidatorSettings.defaults());
        JWSHeader idToken = Tokens.rs256(K1).type(JOSEObjectType.JWT).build();
        JWSHeader logout =
                Tokens.rs256(K1).type(new JOSEObjectType("logout+jwt")).build();
        JWSHeader missing = Tokens.rs256(K1).build();
        Map<String, Object> idClaims = claimsA();
        idClaims.put("nonce", "n-0S6_WzA2Mj");
        idClaims.put("aud", "client-id");

        assertInvalid(validate(A, sign(idToken, idClaims)), "wrong_type");
        assertInvalid(validate(A, sign(logout, claimsA())), "wrong_type");
        assertInvalid(validate(A, sign(missing, claimsA())), "wrong_type");
        assertValid(validate(
                A, sign(Tokens.rs256(K1).type(new JOSEObjectType("at+jwt")).build(), claimsA())));
        assertValid(validate(
                A,
                sign(
                        Tokens.rs256(K1)
                                .type(new JOSEObjectType("application/AT+JWT"))
                                .build(),
                        claimsA())));
    }

    private static String sign(JWSHeader header, Map<String, Object> claims) {
        try {
            return Tokens.sign(new RSASSASigner(K1), header, claims);
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] unsigned32(BigInteger value) {
        byte[] raw = value.toByteArray();
        byte[] out = new byte[32];
        System.arraycopy(
                raw, Math.max(0, raw.length - 32), out, Math.max(0, 32 - raw.length), Math.min(32, raw.length));
        return out;
    }

    private static byte[] concat(byte[] first, byte[] second) {
        byte[] out = new byte[first.length + second.length];
        System.arraycopy(first, 0, out, 0, first.length);
        System.arraycopy(second, 0, out, first.length, second.length);
        return out;
    }
}
