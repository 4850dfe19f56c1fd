package dev.latchkey.core.inbound;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.Ed25519Verifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.KeyType;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.SignedJWT;
import dev.latchkey.core.secret.Secret;
import dev.latchkey.core.tenant.TenantId;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Validates inbound bearer tokens (signed JWT access tokens) against the issuers each tenant
 * trusts (capability C1). Thread-safe; {@link #validate} never throws, whatever the input.
 *
 * <p>Order of checks, cheapest and least trusting first: size and shape of the raw string (no
 * parsing of anything over {@link TokenShape#MAX_LENGTH}, no JWE); the header's {@code alg} against
 * the allowlist, before the Nimbus header parser sees it ({@code none} and HMAC never pass); no
 * nested {@code cty: JWT}; the issuer policy, chosen by the caller's tenant hint or else by the
 * unverified {@code iss}, which is used only to pick the policy (an issuer trusted by two tenants
 * needs a hint); the {@code typ}; the signature, with keys from the issuer's key set only (never
 * from {@code jwk}, {@code jku}, {@code x5u} or {@code x5c} headers); then {@code exp}, {@code nbf},
 * {@code iat}, {@code sub} and {@code aud}.
 *
 * <p>Keys are selected by {@code kid}, key type, use and algorithm. A token without {@code kid} is
 * tried against at most {@value #MAX_KEY_TRIES} keys whose type and algorithm fit (OIDF {@code
 * rp-id_token-kid-absent-*}). An unknown {@code kid} causes at most one refetch per cooldown (see
 * {@link IssuerKeys}). If the keys cannot be had and none are cached, the answer is {@link
 * Validation.Unavailable}, never {@link Validation.Valid}.
 *
 * <p>Valid tokens are remembered in a bounded cache keyed by the tenant hint and the token's
 * SHA-256, never beyond the token's {@code exp}.
 *
 * <p>A token that is not shaped as a JWT at all ({@link TokenShape#isOpaque}) is handed to the
 * {@link OpaqueTokenValidator} when some tenant configures RFC 7662 introspection, and refused as
 * malformed otherwise. Anything shaped as a JWS is judged here and never introspected.
 */
public final class BearerValidator {
    /** The most keys a signature is tried against. */
    public static final int MAX_KEY_TRIES = 4;

    private final Map<TenantId, List<IssuerPolicy>> policies;
    private final Map<String, List<Trust>> exactIssuers;
    private final List<Trust> templates;
    private final Set<String> allowedAlgorithmNames;
    private final Clock clock;
    private final Listener listener;
    private final ValidatorSettings settings;
    private final ConcurrentHashMap<String, IssuerKeys> keys = new ConcurrentHashMap<>();
    private final Cache<CacheKey, VerifiedToken> verified;
    private final OpaqueTokenValidator opaque;

    /**
     * Observes validations for metrics and audit. Reasons are fixed codes (e.g. {@code
     * alg_not_allowed}), never token text. Methods are called on the validating thread and must be
     * quick; an exception thrown by one is ignored.
     */
    public interface Listener {
        /** A no-op listener. */
        Listener NONE = new Listener() {};

        default void accepted(TenantId tenant) {}

        /** A token was refused; {@code tenant} is null when none could be determined. */
        default void rejected(@Nullable TenantId tenant, String reason) {}

        /** A token could not be judged because its issuer's keys could not be had. */
        default void unavailable(@Nullable TenantId tenant, String reason) {}

        /** A key set of {@code issuer} is being fetched over the network. */
        default void jwksFetched(String issuer) {}

        /** An opaque token is being sent to the introspection endpoint of {@code issuer}. */
        default void introspected(String issuer) {}
    }

    /** A validator with {@link ValidatorSettings#defaults()}. */
    public BearerValidator(Map<TenantId, List<IssuerPolicy>> policies, Clock clock, Listener listener) {
        this(policies, clock, listener, ValidatorSettings.defaults());
    }

    /**
     * Builds a validator. Keys are fetched lazily, on the first token of each issuer.
     *
     * @throws IllegalArgumentException if a tenant lists the same issuer twice
     */
    public BearerValidator(
            Map<TenantId, List<IssuerPolicy>> policies, Clock clock, Listener listener, ValidatorSettings settings) {
        this.clock = clock;
        this.listener = listener;
        this.settings = settings;
        Map<TenantId, List<IssuerPolicy>> copy = new LinkedHashMap<>();
        Map<String, List<Trust>> exact = new LinkedHashMap<>();
        List<Trust> template = new ArrayList<>();
        Set<String> algorithms = new HashSet<>();
        policies.forEach((tenant, list) -> {
            Set<String> issuers = new HashSet<>();
            for (IssuerPolicy policy : list) {
                if (!issuers.add(policy.issuer())) {
                    throw new IllegalArgumentException(
                            "tenant " + tenant + " lists issuer " + policy.issuer() + " more than once");
                }
                Trust trust = new Trust(tenant, policy);
                if (policy.isTemplate()) {
                    template.add(trust);
                } else {
                    exact.computeIfAbsent(policy.issuer(), issuer -> new ArrayList<>())
                            .add(trust);
                }
                policy.algorithms().forEach(algorithm -> algorithms.add(algorithm.getName()));
            }
            copy.put(tenant, List.copyOf(list));
        });
        this.policies = Map.copyOf(copy);
        exact.replaceAll((issuer, trusts) -> List.copyOf(trusts));
        this.exactIssuers = Map.copyOf(exact);
        this.templates = List.copyOf(template);
        this.allowedAlgorithmNames = Set.copyOf(algorithms);
        this.verified = Caffeine.newBuilder()
                .maximumSize(settings.tokenCacheSize())
                .ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis()))
                .executor(Runnable::run)
                .expireAfter(Expiry.creating((CacheKey key, VerifiedToken token) -> cacheLifetime(token)))
                .build();
        this.opaque = new OpaqueTokenValidator(this.policies, clock, listener, settings);
    }

    /**
     * Validates {@code token} for the tenant named by the caller, or, without a hint, for the
     * tenant whose trusted issuer signed it. Never throws; never returns {@link Validation.Valid}
     * unless every check passed.
     */
    public Validation validate(@Nullable TenantId tenantHint, Secret token) {
        Validation outcome;
        try {
            outcome = validateUnchecked(tenantHint, token.reveal());
        } catch (RuntimeException e) {
            // Parsers of hostile input may fail in ways their signatures do not declare (CVE-2019-17195).
            outcome = Rejection.MALFORMED.invalid();
            report(tenantHint, outcome);
        }
        return outcome;
    }

    private Validation validateUnchecked(@Nullable TenantId hint, String token) {
        Optional<Rejection> shape = TokenShape.reject(token);
        if (shape.isPresent()) {
            if (opaque.introspectsAny() && TokenShape.isOpaque(token) && (hint == null || policies.containsKey(hint))) {
                return opaque.validate(hint, token);
            }
            return refuse(hint, shape.get());
        }
        if (hint != null && !policies.containsKey(hint)) {
            return refuse(hint, Rejection.UNKNOWN_TENANT);
        }
        CacheKey cacheKey = new CacheKey(hint == null ? "" : hint.value(), Secret.sha256Hex(token));
        VerifiedToken remembered = verified.getIfPresent(cacheKey);
        if (remembered != null && clock.instant().isBefore(remembered.expiresAt())) {
            notify(() -> listener.accepted(remembered.tenant()));
            return new Validation.Valid(remembered);
        }
        Validation outcome = verify(hint, token);
        if (outcome instanceof Validation.Valid valid) {
            if (settings.tokenCacheSize() > 0
                    && clock.instant().isBefore(valid.token().expiresAt())) {
                verified.put(cacheKey, valid.token());
            }
            notify(() -> listener.accepted(valid.token().tenant()));
        }
        return outcome;
    }

    private Validation verify(@Nullable TenantId hint, String token) {
        int firstDot = token.indexOf('.');
        Map<String, Object> rawHeader;
        try {
            rawHeader = JSONObjectUtils.parse(new Base64URL(token.substring(0, firstDot)).decodeToString());
        } catch (ParseException e) {
            return refuse(hint, Rejection.MALFORMED);
        }
        // RFC 8725 §3.1: judge alg on the raw header, so that none/None/HS256 never reach a verifier.
        if (!(rawHeader.get("alg") instanceof String alg) || !allowedAlgorithmNames.contains(alg)) {
            return refuse(hint, Rejection.ALG_NOT_ALLOWED);
        }
        if (TokenShape.hasEmptySignature(token)) {
            return refuse(hint, Rejection.MALFORMED);
        }
        SignedJWT jwt;
        Map<String, Object> claims;
        try {
            jwt = SignedJWT.parse(token);
            claims = jwt.getPayload().toJSONObject();
        } catch (ParseException e) {
            return refuse(hint, Rejection.MALFORMED);
        }
        // RFC 8725 §2.8: a nested token's inner JWT is never processed (GHSA-pm7g-w2cf-q238).
        if (ClaimRules.isNestedToken(jwt.getHeader().getContentType())) {
            return refuse(hint, Rejection.NESTED_TOKEN);
        }
        if (claims == null || !isCanonical(jwt.getSignature(), token)) {
            return refuse(hint, Rejection.MALFORMED);
        }
        if (!(claims.get("iss") instanceof String issuerClaim)) {
            return refuse(hint, Rejection.ISSUER_NOT_TRUSTED);
        }
        String tid = claims.get("tid") instanceof String value ? value : null;
        List<Match> matches = trustedBy(hint, issuerClaim, tid);
        if (matches.isEmpty()) {
            return refuse(hint, Rejection.ISSUER_NOT_TRUSTED);
        }
        if (matches.stream().map(Match::tenant).distinct().count() > 1) {
            return refuse(hint, Rejection.AMBIGUOUS_TENANT);
        }
        Match match = matches.getFirst();
        return verifyFor(match, jwt, claims);
    }

    private Validation verifyFor(Match match, SignedJWT jwt, Map<String, Object> claims) {
        TenantId tenant = match.tenant();
        IssuerPolicy policy = match.policy();
        JWSHeader header = jwt.getHeader();
        if (!policy.algorithms().contains(header.getAlgorithm())) {
            return refuse(tenant, Rejection.ALG_NOT_ALLOWED);
        }
        JOSEObjectType type = header.getType();
        Optional<Rejection> typeRejection = ClaimRules.checkType(type == null ? null : type.getType(), policy);
        if (typeRejection.isPresent()) {
            return refuse(tenant, typeRejection.get());
        }
        List<JWK> candidates;
        try {
            candidates = keysFor(match).select(new JWKSelector(matcherFor(header)));
        } catch (IssuerKeys.KeysUnavailableException e) {
            Rejection refusal = e.refusal();
            if (refusal != null) {
                // Misconfiguration (C1-24): the tokens are refused, not deferred; retried after the cooldown.
                return refuse(tenant, refusal);
            }
            Validation outcome = new Validation.Unavailable(settings.refetchCooldown(), e.reason());
            report(tenant, outcome);
            return outcome;
        }
        if (candidates.isEmpty()) {
            return refuse(tenant, Rejection.UNKNOWN_KEY);
        }
        if (!verifiesWithAny(jwt, candidates)) {
            return refuse(tenant, Rejection.BAD_SIGNATURE);
        }
        Optional<Rejection> claimRejection = ClaimRules.check(claims, policy, clock.instant());
        if (claimRejection.isPresent()) {
            return refuse(tenant, claimRejection.get());
        }
        if (!(claims.get("sub") instanceof String subject)) {
            return refuse(tenant, Rejection.INVALID_SUBJECT);
        }
        VerifiedToken token = new VerifiedToken(
                tenant,
                match.issuer(),
                subject,
                ClaimRules.audiences(claims),
                ClaimRules.scopes(claims),
                ClaimRules.roles(claims),
                policy.requiredScopes(),
                policy.requiredRoles(),
                ClaimRules.expiry(claims),
                claims);
        return new Validation.Valid(token);
    }

    private List<Match> trustedBy(@Nullable TenantId hint, String issuerClaim, @Nullable String tid) {
        List<Match> matches = new ArrayList<>();
        for (Trust trust : exactIssuers.getOrDefault(issuerClaim, List.of())) {
            if (hint == null || hint.equals(trust.tenant())) {
                matches.add(new Match(trust.tenant(), trust.policy(), issuerClaim));
            }
        }
        for (Trust trust : templates) {
            if (hint == null || hint.equals(trust.tenant())) {
                trust.policy()
                        .trustedIssuer(issuerClaim, tid)
                        .ifPresent(issuer -> matches.add(new Match(trust.tenant(), trust.policy(), issuer)));
            }
        }
        return matches;
    }

    private IssuerKeys keysFor(Match match) {
        IssuerPolicy policy = match.policy();
        String location = policy.jwksLocation().map(uri -> "jwks " + uri).orElse("discovery " + match.issuer());
        String key = location + (policy.allowInsecureLoopback() ? " loopback" : "");
        return keys.computeIfAbsent(key, ignored -> new IssuerKeys(match.issuer(), policy, clock, settings, listener));
    }

    // Only alg and kid of the header are used to choose keys; the key set alone supplies them.
    private static JWKMatcher matcherFor(JWSHeader header) {
        JWSAlgorithm algorithm = header.getAlgorithm();
        JWKMatcher.Builder matcher = new JWKMatcher.Builder()
                .keyType(KeyType.forAlgorithm(algorithm))
                .keyUses(KeyUse.SIGNATURE, null)
                .algorithms(algorithm, null);
        if (header.getKeyID() != null) {
            matcher.keyID(header.getKeyID());
        }
        if (JWSAlgorithm.Family.EC.contains(algorithm) || JWSAlgorithm.Family.ED.contains(algorithm)) {
            matcher.curves(Curve.forJWSAlgorithm(algorithm));
        }
        return matcher.build();
    }

    private static boolean verifiesWithAny(SignedJWT jwt, List<JWK> candidates) {
        for (JWK key : candidates.subList(0, Math.min(candidates.size(), MAX_KEY_TRIES))) {
            Optional<JWSVerifier> verifier = verifierFor(key);
            try {
                if (verifier.isPresent() && jwt.verify(verifier.get())) {
                    return true;
                }
            } catch (JOSEException e) {
                // A key that cannot verify this algorithm (wrong curve, unsupported crit): try the next.
            }
        }
        return false;
    }

    // Asymmetric public keys only: no HMAC verifier is ever built (RFC 8725 §3.1, CVE-2016-10555).
    private static Optional<JWSVerifier> verifierFor(JWK key) {
        try {
            return switch (key) {
                case RSAKey rsa -> Optional.of(new RSASSAVerifier(rsa.toPublicJWK()));
                case ECKey ec -> Optional.of(new ECDSAVerifier(ec.toPublicJWK()));
                case OctetKeyPair okp
                when Curve.Ed25519.equals(okp.getCurve()) -> Optional.of(new Ed25519Verifier(okp.toPublicJWK()));
                default -> Optional.empty();
            };
        } catch (JOSEException e) {
            return Optional.empty();
        }
    }

    // A signature whose base64url has non-zero unused bits decodes like the genuine one; refusing
    // it keeps one spelling per token, so caches and audit keyed by the token's hash see one token.
    private static boolean isCanonical(Base64URL signature, String token) {
        String encoded = token.substring(token.lastIndexOf('.') + 1);
        return Base64URL.encode(signature.decode()).toString().equals(encoded);
    }

    private Duration cacheLifetime(VerifiedToken token) {
        Duration untilExpiry = Duration.between(clock.instant(), token.expiresAt());
        if (untilExpiry.isNegative()) {
            return Duration.ZERO;
        }
        return untilExpiry.compareTo(settings.tokenCacheTtl()) < 0 ? untilExpiry : settings.tokenCacheTtl();
    }

    private Validation refuse(@Nullable TenantId tenant, Rejection rejection) {
        Validation outcome = rejection.invalid();
        report(tenant, outcome);
        return outcome;
    }

    private void report(@Nullable TenantId tenant, Validation outcome) {
        switch (outcome) {
            case Validation.Invalid invalid -> notify(() -> listener.rejected(tenant, invalid.reason()));
            case Validation.Unavailable unavailable -> notify(() -> listener.unavailable(tenant, unavailable.reason()));
            case Validation.Valid valid ->
                notify(() -> listener.accepted(valid.token().tenant()));
        }
    }

    /** Runs a listener callback; a failing listener must not change the outcome of a validation. */
    static void notify(Runnable callback) {
        try {
            callback.run();
        } catch (RuntimeException e) {
            // Metrics and audit are observers: their failure is theirs, not the caller's.
        }
    }

    private record Trust(TenantId tenant, IssuerPolicy policy) {}

    private record Match(TenantId tenant, IssuerPolicy policy, String issuer) {}

    private record CacheKey(String tenantHint, String tokenSha256) {}
}
