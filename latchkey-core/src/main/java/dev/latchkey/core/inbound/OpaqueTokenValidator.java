package dev.latchkey.core.inbound;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import dev.latchkey.core.secret.Secret;
import dev.latchkey.core.tenant.TenantId;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Validates opaque bearer tokens (those {@link TokenShape#isOpaque} says are not JWTs) by RFC 7662
 * introspection at the issuers of the tenant that configure it. Thread-safe; never throws.
 *
 * <p>The token is sent only to the introspection endpoints of one tenant: the tenant the caller
 * named, or, without a hint, the only tenant that introspects at all (with several, the request
 * must name its tenant, so that no tenant's token is ever shown to another tenant's IdP). Within
 * the tenant the endpoints are asked in configured order; the first {@code active: true} is judged
 * and ends the search, {@code active: false} moves on to the next. When every endpoint said
 * inactive the token is refused; when one could not answer and none said active, the outcome is
 * {@link Validation.Unavailable} (503), never a refusal and never an acceptance.
 *
 * <p>An active answer is held to the checks of a JWT wherever its members exist: {@code iss}, if
 * present, equals the issuer exactly; {@code token_type}, if present, is {@code Bearer}; {@code
 * exp}, {@code nbf} and {@code iat}, if present, with the policy's clock skew; {@code sub} is
 * required; {@code aud} must name a configured audience (required, as for a JWT, so that a token
 * meant for another resource of the same IdP is refused). Required scopes and roles are enforced
 * by the composer, as for JWTs.
 *
 * <p>Verdicts are remembered under the SHA-256 of the token (never the token): acceptances for at
 * most {@value #MAX_POSITIVE_SECONDS} s and never beyond the token's {@code exp} (RFC 7662 §4: a
 * revoked token stops working within that bound), refusals for {@value #NEGATIVE_SECONDS} s, so
 * that a client retrying a dead token does not hammer the IdP. "Unavailable" is never remembered.
 */
final class OpaqueTokenValidator {
    /** The longest an active answer is trusted without asking again. */
    static final long MAX_POSITIVE_SECONDS = 60;

    /** How long a refusal is remembered. */
    static final long NEGATIVE_SECONDS = 5;

    private static final Duration RETRY_AFTER = Duration.ofSeconds(NEGATIVE_SECONDS);

    private final Map<TenantId, List<IssuerPolicy>> introspecting;
    // Only built when some tenant introspects: the JDK client starts a selector thread.
    private final @Nullable IntrospectionClient client;
    private final Clock clock;
    private final BearerValidator.Listener listener;
    private final ValidatorSettings settings;
    private final Cache<CacheKey, Validation> verdicts;

    OpaqueTokenValidator(
            Map<TenantId, List<IssuerPolicy>> policies,
            Clock clock,
            BearerValidator.Listener listener,
            ValidatorSettings settings) {
        Map<TenantId, List<IssuerPolicy>> withEndpoint = new LinkedHashMap<>();
        policies.forEach((tenant, list) -> {
            List<IssuerPolicy> introspected = list.stream()
                    .filter(policy -> policy.introspectionEndpoint().isPresent())
                    .toList();
            if (!introspected.isEmpty()) {
                withEndpoint.put(tenant, introspected);
            }
        });
        this.introspecting = Map.copyOf(withEndpoint);
        this.client = introspecting.isEmpty()
                ? null
                : new IntrospectionClient(settings.httpTimeout(), settings.maxDocumentBytes());
        this.clock = clock;
        this.listener = listener;
        this.settings = settings;
        this.verdicts = Caffeine.newBuilder()
                .maximumSize(settings.tokenCacheSize())
                .ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis()))
                .executor(Runnable::run)
                .expireAfter(Expiry.creating((CacheKey key, Validation verdict) -> lifetime(verdict)))
                .build();
    }

    /** Whether any tenant introspects opaque tokens. */
    boolean introspectsAny() {
        return !introspecting.isEmpty();
    }

    /**
     * Validates an opaque {@code token} for the tenant named by {@code hint} (known to exist), or,
     * without a hint, for the only tenant that introspects.
     */
    Validation validate(@Nullable TenantId hint, String token) {
        TenantId tenant;
        if (hint != null) {
            tenant = hint;
        } else if (introspecting.size() == 1) {
            tenant = introspecting.keySet().iterator().next();
        } else {
            return report(null, (introspecting.isEmpty() ? Rejection.MALFORMED : Rejection.AMBIGUOUS_TENANT).invalid());
        }
        List<IssuerPolicy> candidates = introspecting.getOrDefault(tenant, List.of());
        if (candidates.isEmpty()) {
            return report(tenant, Rejection.MALFORMED.invalid());
        }
        CacheKey key = new CacheKey(hint == null ? "" : hint.value(), Secret.sha256Hex(token));
        Validation remembered = verdicts.getIfPresent(key);
        if (remembered != null && !(remembered instanceof Validation.Valid valid && !isCurrent(valid.token()))) {
            return report(tenant, remembered);
        }
        Validation outcome = introspect(tenant, candidates, token);
        boolean cacheable = switch (outcome) {
            case Validation.Valid valid -> isCurrent(valid.token());
            case Validation.Invalid invalid -> true;
            case Validation.Unavailable unavailable -> false;
        };
        if (cacheable && settings.tokenCacheSize() > 0) {
            verdicts.put(key, outcome);
        }
        return report(tenant, outcome);
    }

    private Validation introspect(TenantId tenant, List<IssuerPolicy> candidates, String token) {
        IntrospectionClient client = this.client;
        if (client == null) {
            return Rejection.MALFORMED.invalid();
        }
        String failure = null;
        for (IssuerPolicy policy : candidates) {
            IntrospectionEndpoint endpoint = policy.introspectionEndpoint().orElseThrow();
            BearerValidator.notify(() -> listener.introspected(policy.issuer()));
            switch (client.introspect(endpoint, token)) {
                case IntrospectionClient.Answer.Active active -> {
                    return judge(tenant, policy, active.claims());
                }
                case IntrospectionClient.Answer.Inactive inactive -> {
                    // RFC 7662 §2.2: inactive at this issuer; it may still be another issuer's token.
                }
                case IntrospectionClient.Answer.Failed failed -> failure = failed.reason();
            }
        }
        if (failure != null) {
            return new Validation.Unavailable(RETRY_AFTER, failure);
        }
        return Rejection.INACTIVE.invalid();
    }

    private Validation judge(TenantId tenant, IssuerPolicy policy, Map<String, Object> claims) {
        Object issuer = claims.get("iss");
        if (issuer != null && !policy.issuer().equals(issuer)) {
            return Rejection.ISSUER_NOT_TRUSTED.invalid();
        }
        Object type = claims.get("token_type");
        // RFC 9449 §7.1: a DPoP-bound (or any non-bearer) token presented as a bearer token is refused.
        if (type != null
                && !(type instanceof String name
                        && name.toLowerCase(Locale.ROOT).equals("bearer"))) {
            return Rejection.WRONG_TYPE.invalid();
        }
        Instant now = clock.instant();
        Optional<Rejection> rejection = ClaimRules.checkIntrospected(claims, policy, now);
        if (rejection.isPresent()) {
            return rejection.get().invalid();
        }
        if (!(claims.get("sub") instanceof String subject)) {
            return Rejection.INVALID_SUBJECT.invalid();
        }
        Instant expiresAt =
                claims.containsKey("exp") ? ClaimRules.expiry(claims) : now.plusSeconds(MAX_POSITIVE_SECONDS);
        return new Validation.Valid(new VerifiedToken(
                tenant,
                policy.issuer(),
                subject,
                ClaimRules.audiences(claims),
                ClaimRules.scopes(claims),
                ClaimRules.roles(claims),
                policy.requiredScopes(),
                policy.requiredRoles(),
                expiresAt,
                claims));
    }

    private boolean isCurrent(VerifiedToken token) {
        return clock.instant().isBefore(token.expiresAt());
    }

    private Duration lifetime(Validation verdict) {
        if (!(verdict instanceof Validation.Valid valid)) {
            return Duration.ofSeconds(NEGATIVE_SECONDS);
        }
        Duration bound = Duration.ofSeconds(MAX_POSITIVE_SECONDS);
        if (settings.tokenCacheTtl().compareTo(bound) < 0) {
            bound = settings.tokenCacheTtl();
        }
        Duration untilExpiry = Duration.between(clock.instant(), valid.token().expiresAt());
        if (untilExpiry.isNegative()) {
            return Duration.ZERO;
        }
        return untilExpiry.compareTo(bound) < 0 ? untilExpiry : bound;
    }

    private Validation report(@Nullable TenantId tenant, Validation outcome) {
        switch (outcome) {
            case Validation.Valid valid ->
                BearerValidator.notify(() -> listener.accepted(valid.token().tenant()));
            case Validation.Invalid invalid ->
                BearerValidator.notify(() -> listener.rejected(tenant, invalid.reason()));
            case Validation.Unavailable unavailable ->
                BearerValidator.notify(() -> listener.unavailable(tenant, unavailable.reason()));
        }
        return outcome;
    }

    private record CacheKey(String tenantHint, String tokenSha256) {}
}
