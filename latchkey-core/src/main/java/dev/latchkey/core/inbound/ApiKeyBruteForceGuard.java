package dev.latchkey.core.inbound;

import dev.latchkey.core.audit.AuditEvent;
import dev.latchkey.core.audit.AuditLog;
import dev.latchkey.core.tenant.TenantId;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * An {@link Authenticator} decorator against API-key guessing (C2-10, ASVS V6.3): it counts the
 * API keys a client presents in vain per (tenant, client) in an {@link AttemptLimiter}, and once
 * the client has had too many it refuses its API-key attempts with {@link
 * AuthOutcome.TooManyAttempts} (HTTP 429 with {@code Retry-After}) before the delegate is asked,
 * so that a blocked client costs no key lookup. Only requests that present an API key (and no
 * bearer token) in a named tenant are counted or refused; bearer tokens are never affected, and a
 * blocked client stays blocked for a correct key too until its window ends.
 *
 * <p>A key counts as failed when the delegate {@linkplain AuthOutcome.Rejected rejects} it
 * (unknown, malformed, revoked, expired); a key refused because the tenant has API keys off, or
 * valid but short of scope, does not. Reaching the limit is audited once per window and client as
 * {@code api_key_bruteforce}; every refusal is reported to the {@link Listener} (for metrics).
 * Neither the audit event nor the listener sees any part of a key. Thread-safe.
 */
public final class ApiKeyBruteForceGuard implements Authenticator {
    private final Authenticator delegate;
    private final AttemptLimiter limiter;
    private final AuditLog audit;
    private final Clock clock;
    private final Listener listener;

    /** Told about each refused attempt; implementations must be fast and must not throw. */
    @FunctionalInterface
    public interface Listener {
        Listener NONE = tenant -> {};

        /** An API-key attempt from a blocked client of {@code tenant} was refused. */
        void refused(TenantId tenant);
    }

    public ApiKeyBruteForceGuard(
            Authenticator delegate, AttemptLimiter limiter, AuditLog audit, Clock clock, Listener listener) {
        this.delegate = delegate;
        this.limiter = limiter;
        this.audit = audit;
        this.clock = clock;
        this.listener = listener;
    }

    @Override
    public AuthOutcome authenticate(Credentials credentials, Set<String> requiredScopes) {
        Optional<TenantId> tenant = credentials.tenant();
        if (credentials.apiKeyValue().isEmpty() || credentials.bearerToken().isPresent() || tenant.isEmpty()) {
            return delegate.authenticate(credentials, requiredScopes);
        }
        AttemptKey key = new AttemptKey(tenant.get(), credentials.client());
        Optional<Duration> blocked = limiter.blockedFor(key);
        if (blocked.isPresent()) {
            listener.refused(key.tenant());
            return new AuthOutcome.TooManyAttempts(blocked.get());
        }
        AuthOutcome outcome = delegate.authenticate(credentials, requiredScopes);
        if (outcome instanceof AuthOutcome.Rejected && limiter.recordFailure(key)) {
            reportReached(key);
        }
        return outcome;
    }

    private void reportReached(AttemptKey key) {
        Instant now = clock.instant();
        Map<String, String> details = Map.of(
                "client",
                key.client().value(),
                "blocked_for_seconds",
                Long.toString(limiter.blockedFor(key).map(Duration::toSeconds).orElse(0L)));
        audit.record(new AuditEvent(
                now,
                key.tenant(),
                "client:" + key.client().value(),
                "api_key_bruteforce",
                "threshold_reached",
                details));
    }

    @Override
    public String toString() {
        return "ApiKeyBruteForceGuard[" + delegate + "]";
    }
}
