package dev.latchkey.app.config;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The JWS algorithms an issuer may be configured to accept. Only asymmetric ones exist here: an
 * HMAC algorithm or {@code none} cannot be configured at all (RFC 8725 §3.1, §2.1 key confusion).
 */
public enum SigningAlgorithm {
    RS256,
    RS384,
    RS512,
    PS256,
    PS384,
    PS512,
    ES256,
    ES384,
    ES512,
    EdDSA;

    /** The default allowlist: what mainstream IdPs sign with. */
    public static final List<SigningAlgorithm> DEFAULTS = List.of(RS256, ES256, PS256);

    /** The JWS {@code alg} name, as in a JOSE header. */
    public String jwsName() {
        return name();
    }

    /** The algorithm with this exact JWS name. */
    public static Optional<SigningAlgorithm> byJwsName(String name) {
        return Arrays.stream(values()).filter(a -> a.jwsName().equals(name)).findFirst();
    }
}
