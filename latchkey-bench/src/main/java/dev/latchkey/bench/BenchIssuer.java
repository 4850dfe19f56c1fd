package dev.latchkey.bench;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A token issuer for benchmarks: one freshly generated signing key (RSA 2048 for RS256, P-256 for
 * ES256) and the access tokens it signs. Not a test double of an IdP: it only mints tokens whose
 * public key set the benchmark serves from a local URL.
 */
final class BenchIssuer {
    static final String AUDIENCE = "latchkey";
    static final String SUBJECT = "bench-user";

    private final String issuer;
    private final JWSAlgorithm algorithm;
    private final JWK key;
    private final JWSSigner signer;

    private BenchIssuer(String issuer, JWSAlgorithm algorithm, JWK key, JWSSigner signer) {
        this.issuer = issuer;
        this.algorithm = algorithm;
        this.key = key;
        this.signer = signer;
    }

    /** An issuer of {@code algorithm} tokens (RS256 or ES256) whose key is named {@code keyId}. */
    static BenchIssuer generate(String issuer, JWSAlgorithm algorithm, String keyId) {
        try {
            if (JWSAlgorithm.RS256.equals(algorithm)) {
                var rsa = new RSAKeyGenerator(2048)
                        .keyID(keyId)
                        .keyUse(KeyUse.SIGNATURE)
                        .algorithm(algorithm)
                        .generate();
                return new BenchIssuer(issuer, algorithm, rsa, new RSASSASigner(rsa));
            }
            if (JWSAlgorithm.ES256.equals(algorithm)) {
                var ec = new ECKeyGenerator(Curve.P_256)
                        .keyID(keyId)
                        .keyUse(KeyUse.SIGNATURE)
                        .algorithm(algorithm)
                        .generate();
                return new BenchIssuer(issuer, algorithm, ec, new ECDSASigner(ec));
            }
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot generate a " + algorithm + " key", e);
        }
        throw new IllegalArgumentException("unsupported algorithm " + algorithm);
    }

    /** The public key set, as an IdP publishes it at its {@code jwks_uri}. */
    static String publicJwks(List<BenchIssuer> issuers) {
        return new JWKSet(issuers.stream().map(i -> i.key.toPublicJWK()).toList()).toString();
    }

    String issuer() {
        return issuer;
    }

    /**
     * A signed access token for {@link #SUBJECT}, valid for {@code lifetime}; a fresh {@code jti}
     * makes every token distinct. {@code keyId} overrides the header's {@code kid}: the key's own
     * id when null, no {@code kid} at all when empty.
     */
    String mint(Duration lifetime, @Nullable String keyId) {
        Instant now = Instant.now();
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer(issuer)
                .subject(SUBJECT)
                .audience(AUDIENCE)
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(lifetime)))
                .jwtID(UUID.randomUUID().toString())
                .claim("scope", "openid profile")
                .build();
        JWSHeader.Builder header = new JWSHeader.Builder(algorithm).type(JOSEObjectType.JWT);
        String kid = keyId == null ? key.getKeyID() : keyId;
        if (!kid.isEmpty()) {
            header.keyID(kid);
        }
        SignedJWT jwt = new SignedJWT(header.build(), claims);
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign a benchmark token", e);
        }
        return jwt.serialize();
    }
}
