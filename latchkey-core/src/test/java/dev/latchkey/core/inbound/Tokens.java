package dev.latchkey.core.inbound;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jose.util.JSONObjectUtils;
import dev.latchkey.core.secret.Secret;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/** Builds signed tokens, honest and hostile, with keys the test controls. */
final class Tokens {
    static final String AUDIENCE = "latchkey-api";

    private Tokens() {}

    static RSAKey rsaKey(String kid) {
        try {
            return new RSAKeyGenerator(2048).keyID(kid).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    static ECKey ecKey(String kid) {
        try {
            return new ECKeyGenerator(Curve.P_256).keyID(kid).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Claims of an honest access token of {@code issuer}, valid for an hour from {@code now}. */
    static Map<String, Object> claims(String issuer, Instant now) {
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", issuer);
        claims.put("sub", "alice");
        claims.put("aud", AUDIENCE);
        claims.put("iat", now.getEpochSecond());
        claims.put("nbf", now.getEpochSecond());
        claims.put("exp", now.plusSeconds(3600).getEpochSecond());
        claims.put("scope", "tokens:read tokens:write");
        claims.put("jti", UUID.randomUUID().toString());
        return claims;
    }

    static JWSHeader.Builder rs256(RSAKey key) {
        return new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID());
    }

    /** Signs {@code claims} (any JSON, kept verbatim) under {@code header} with {@code signer}. */
    static String sign(JWSSigner signer, JWSHeader header, Map<String, Object> claims) {
        return sign(signer, header, JSONObjectUtils.toJSONString(claims));
    }

    static String sign(JWSSigner signer, JWSHeader header, String payloadJson) {
        try {
            JWSObject object = new JWSObject(header, new Payload(payloadJson));
            object.sign(signer);
            return object.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    static String signRs256(RSAKey key, Map<String, Object> claims) {
        try {
            return sign(new RSASSASigner(key), rs256(key).build(), claims);
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    static String signEs256(ECKey key, Map<String, Object> claims) {
        try {
            return sign(
                    new ECDSASigner(key),
                    new JWSHeader.Builder(JWSAlgorithm.ES256)
                            .keyID(key.getKeyID())
                            .build(),
                    claims);
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A compact token from a raw header JSON, claims and signature bytes, without signing. */
    static String unsigned(String headerJson, Map<String, Object> claims, byte[] signature) {
        return b64(headerJson) + "." + b64(JSONObjectUtils.toJSONString(claims)) + "." + Base64URL.encode(signature);
    }

    static String b64(String json) {
        return Base64URL.encode(json.getBytes(StandardCharsets.UTF_8)).toString();
    }

    static Secret secret(String token) {
        return Secret.of(token);
    }
}
