package dev.latchkey.core.signing;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import dev.latchkey.core.secret.DeploymentSecrets;
import java.text.ParseException;
import java.util.Map;

/**
 * The asymmetric key Latchkey signs its own tokens with (ES256, P-256; never a shared HMAC secret),
 * and the public key set it publishes at {@code /.well-known/jwks.json}. The private key is
 * generated once per deployment and kept as a deployment secret — sealed in the database, the same
 * for every replica, bound to its name — so every replica signs with it and verifiers need one key
 * set. The key id is the key's RFC 7638 thumbprint. Immutable and thread-safe.
 */
public final class SigningKeys {
    /** The deployment secret that holds the private key as JWK JSON. */
    public static final String SECRET_NAME = "token-signing-key";

    private final ECKey key;
    private final JWKSet publicKeys;

    private SigningKeys(ECKey key) {
        this.key = key;
        this.publicKeys = new JWKSet(key.toPublicJWK());
    }

    /**
     * The deployment's signing key, generated and stored on first use.
     *
     * @throws IllegalStateException if the stored key is not an EC private key (a damaged row is
     *     never replaced silently: tokens already issued would stop verifying)
     */
    public static SigningKeys load(DeploymentSecrets secrets) {
        String json = secrets.getOrCreate(SECRET_NAME, SigningKeys::generate).reveal();
        try {
            ECKey key = ECKey.parse(json);
            if (!key.isPrivate() || !Curve.P_256.equals(key.getCurve())) {
                throw new IllegalStateException("the stored token signing key is not a P-256 private key");
            }
            return new SigningKeys(key);
        } catch (ParseException e) {
            throw new IllegalStateException("the stored token signing key cannot be parsed", e);
        }
    }

    private static String generate() {
        try {
            return new ECKeyGenerator(Curve.P_256)
                    .keyUse(KeyUse.SIGNATURE)
                    .algorithm(JWSAlgorithm.ES256)
                    .keyIDFromThumbprint(true)
                    .generate()
                    .toJSONString();
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot generate a P-256 key", e);
        }
    }

    /** The key id that signed tokens carry in their {@code kid} header. */
    public String keyId() {
        return key.getKeyID();
    }

    /** A signer for ES256 with the private key. */
    public JWSSigner signer() {
        try {
            return new ECDSASigner(key);
        } catch (JOSEException e) {
            throw new IllegalStateException("the token signing key cannot sign", e);
        }
    }

    /** The public key set, as the JSON object served at {@code /.well-known/jwks.json}. */
    public Map<String, Object> publicJwks() {
        return publicKeys.toJSONObject(true);
    }

    /** The public key set, for verifying. */
    public JWKSet publicKeys() {
        return publicKeys;
    }
}
