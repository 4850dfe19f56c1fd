package dev.latchkey.core.inbound;

import dev.latchkey.core.identity.Principal;
import java.time.Duration;
import java.util.Set;

/**
 * The result of authenticating a request. Each case maps onto one HTTP answer (RFC 6750 §3):
 * {@link Authenticated} → proceed; {@link NoCredentials} → 401 with a bare {@code Bearer realm}
 * challenge; {@link Rejected} → 401 {@code invalid_token}; {@link InsufficientScope} → 403
 * {@code insufficient_scope} naming the scopes; {@link Malformed} → 400 {@code invalid_request};
 * {@link Forbidden} → 403 with a Latchkey error code (e.g. {@code api_keys_disabled});
 * {@link Unavailable} → 503 {@code temporarily_unavailable} with {@code Retry-After};
 * {@link TooManyAttempts} → 429 {@code too_many_requests} with {@code Retry-After}.
 */
public sealed interface AuthOutcome {

    record Authenticated(Principal principal) implements AuthOutcome {}

    record NoCredentials() implements AuthOutcome {}

    /**
     * The credential was presented but is not acceptable.
     *
     * @param reason a fixed code for metrics and audit (e.g. {@code alg_not_allowed}, {@code expired})
     * @param description a short human text that never contains the token or its claims verbatim
     */
    record Rejected(String reason, String description) implements AuthOutcome {}

    record InsufficientScope(Set<String> required) implements AuthOutcome {
        public InsufficientScope {
            required = Set.copyOf(required);
        }
    }

    record Malformed(String description) implements AuthOutcome {}

    record Forbidden(String error, String description) implements AuthOutcome {}

    record Unavailable(Duration retryAfter, String reason) implements AuthOutcome {}

    /**
     * The client has presented too many wrong API keys lately; nothing was looked up (C2-10).
     *
     * @param retryAfter how long until the client's attempts are counted afresh
     */
    record TooManyAttempts(Duration retryAfter) implements AuthOutcome {}
}
