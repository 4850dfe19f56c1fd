package dev.latchkey.core.inbound;

import java.time.Duration;

/**
 * The outcome of validating a bearer token. Only {@link Valid} means the signature, issuer,
 * audience, lifetime, subject and type were all checked; every other case must be refused.
 */
public sealed interface Validation {

    /** The token is authentic and current; the composer still checks scopes and roles. */
    record Valid(VerifiedToken token) implements Validation {}

    /**
     * The token is not acceptable (RFC 6750 §3.1 {@code invalid_token}).
     *
     * @param reason a fixed code for metrics and audit, e.g. {@code alg_not_allowed}; never token text
     * @param description a short fixed text for the {@code error_description}; never token text
     */
    record Invalid(String reason, String description) implements Validation {}

    /**
     * The issuer's keys could not be obtained and none are cached, or (for an opaque token) its
     * introspection endpoint gave no verdict: the token was neither accepted nor judged (fail
     * closed, answered as 503 with {@code Retry-After}).
     *
     * @param reason a fixed code, e.g. {@code jwks_unavailable} or {@code introspection_unavailable}
     */
    record Unavailable(Duration retryAfter, String reason) implements Validation {}
}
