package dev.latchkey.core.inbound;

/**
 * Why a bearer token was refused: a fixed code for metrics and audit and a fixed description for
 * the RFC 6750 {@code error_description}. Neither ever contains text from the token, so a hostile
 * {@code kid} or claim cannot reach a log line or a metric label.
 */
enum Rejection {
    TOO_LARGE("too_large", "The token is too large."),
    MALFORMED("malformed", "The token is not a well-formed signed JWT."),
    INACTIVE("inactive", "The token is not active."),
    JWE_NOT_ACCEPTED("jwe_not_accepted", "Encrypted tokens are not accepted."),
    ALG_NOT_ALLOWED("alg_not_allowed", "The token's signature algorithm is not allowed."),
    NESTED_TOKEN("nested_token", "Nested tokens are not accepted."),
    UNKNOWN_TENANT("unknown_tenant", "The tenant is not known."),
    ISSUER_NOT_TRUSTED("issuer_not_trusted", "The token's issuer is not trusted."),
    AMBIGUOUS_TENANT("ambiguous_tenant", "The token's issuer is trusted by several tenants; name the tenant."),
    WRONG_TYPE("wrong_type", "The token is not of the required type."),
    UNKNOWN_KEY("unknown_key", "The token's signing key is not published by its issuer."),
    BAD_SIGNATURE("bad_signature", "The token's signature is invalid."),
    MALFORMED_CLAIMS("malformed_claims", "The token's claims are malformed."),
    MISSING_EXPIRY("missing_exp", "The token has no expiry."),
    EXPIRED("expired", "The token has expired."),
    NOT_YET_VALID("not_yet_valid", "The token is not valid yet."),
    ISSUED_IN_FUTURE("issued_in_future", "The token was issued in the future."),
    INVALID_SUBJECT("invalid_subject", "The token has no valid subject."),
    AUDIENCE_MISMATCH("audience_mismatch", "The token is not meant for this service."),
    DISCOVERY_ISSUER_MISMATCH("discovery_issuer_mismatch", "The issuer's discovery document names another issuer."),
    KEY_LOCATION_REFUSED("key_location_refused", "The issuer's key location is not allowed.");

    private final String code;
    private final String description;

    Rejection(String code, String description) {
        this.code = code;
        this.description = description;
    }

    String code() {
        return code;
    }

    Validation.Invalid invalid() {
        return new Validation.Invalid(code, description);
    }
}
