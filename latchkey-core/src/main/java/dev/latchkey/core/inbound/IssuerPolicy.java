package dev.latchkey.core.inbound;

import com.nimbusds.jose.JWSAlgorithm;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * What a tenant trusts of one token issuer: the exact issuer (or an Entra-style multi-tenant
 * template bound to an allowlist of directory tenants), where its keys come from, which audiences,
 * algorithms and token type it must use, the clock skew tolerated, and where its opaque tokens are
 * introspected, if anywhere. Every instance is valid: the compact constructor rejects symmetric or
 * unsigned algorithms, an empty audience list, a template without an allowlist, introspection of a
 * template, a skew above five minutes and non-https URLs (plain http only on a loopback address,
 * and only when {@code allowInsecureLoopback} says so, for development).
 *
 * @param issuer the exact {@code iss} value, compared byte for byte (no case folding, no
 *     trailing-slash normalisation, OIDC Core §3.1.3.7); or a template containing {@value
 *     #TENANT_PLACEHOLDER} once, e.g. {@code https://login.microsoftonline.com/{tenantid}/v2.0}
 * @param directoryTenants for a template: the directory tenant ids whose tokens are trusted,
 *     matched against the token's {@code tid} claim; never empty for a template, which is what
 *     prevents "any Entra tenant" by accident. Empty for an exact issuer.
 * @param jwksUri where the signing keys are published; when absent they are found by OIDC
 *     discovery of the issuer
 * @param audiences the token's {@code aud} must contain one of these exactly (RFC 9068 §4)
 * @param requiredScopes scopes every token of this issuer must carry; enforced by the composer,
 *     which adds them to the endpoint's scopes
 * @param requiredRoles roles (e.g. Entra app roles) every token of this issuer must carry; enforced
 *     by the composer like the scopes
 * @param algorithms the JWS algorithms accepted; asymmetric only (RFC 8725 §3.1)
 * @param clockSkew the leeway for {@code exp}, {@code nbf} and {@code iat}; at most five minutes
 * @param requiredType the {@code typ} header every token must carry (e.g. {@code at+jwt}, RFC 9068
 *     §2.1), compared case-insensitively with an optional {@code application/} prefix (RFC 7515
 *     §4.1.9); absent: any type
 * @param allowInsecureLoopback whether {@code http} issuer, discovery, key and introspection URLs
 *     are accepted on a loopback address (development only)
 * @param introspection where tokens that are not JWTs are introspected (RFC 7662); absent: opaque
 *     tokens of this issuer are refused. Only for an exact issuer: an introspection answer carries
 *     no signed {@code tid} to bind a template to.
 */
public record IssuerPolicy(
        String issuer,
        Set<String> directoryTenants,
        @Nullable URI jwksUri,
        Set<String> audiences,
        Set<String> requiredScopes,
        Set<String> requiredRoles,
        Set<JWSAlgorithm> algorithms,
        Duration clockSkew,
        @Nullable String requiredType,
        boolean allowInsecureLoopback,
        @Nullable IntrospectionEndpoint introspection) {

    /** The placeholder of a multi-tenant issuer template, bound to the token's {@code tid}. */
    public static final String TENANT_PLACEHOLDER = "{tenantid}";

    /** Every asymmetric JWS algorithm Nimbus verifies; HMAC and {@code none} are never accepted. */
    public static final Set<JWSAlgorithm> ASYMMETRIC_ALGORITHMS = Set.of(
            JWSAlgorithm.RS256,
            JWSAlgorithm.RS384,
            JWSAlgorithm.RS512,
            JWSAlgorithm.PS256,
            JWSAlgorithm.PS384,
            JWSAlgorithm.PS512,
            JWSAlgorithm.ES256,
            JWSAlgorithm.ES384,
            JWSAlgorithm.ES512,
            JWSAlgorithm.EdDSA);

    /** The largest clock skew a policy may tolerate (ASVS 5.0 V13: bounded leeway). */
    public static final Duration MAX_CLOCK_SKEW = Duration.ofMinutes(5);

    private static final Pattern DIRECTORY_TENANT = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    /**
     * Validates the policy.
     *
     * @throws IllegalArgumentException naming the field that breaks a rule
     */
    public IssuerPolicy {
        if (issuer.isEmpty()) {
            throw new IllegalArgumentException("issuer must not be empty");
        }
        directoryTenants = Set.copyOf(directoryTenants);
        audiences = Set.copyOf(audiences);
        requiredScopes = Set.copyOf(requiredScopes);
        requiredRoles = Set.copyOf(requiredRoles);
        algorithms = Set.copyOf(algorithms);
        int placeholders = countPlaceholders(issuer);
        if (placeholders > 1) {
            throw new IllegalArgumentException("issuer template must contain " + TENANT_PLACEHOLDER + " at most once");
        }
        if (placeholders == 1 && directoryTenants.isEmpty()) {
            throw new IllegalArgumentException(
                    "directoryTenants must list the trusted directory tenants of a multi-tenant issuer template");
        }
        if (placeholders == 0 && !directoryTenants.isEmpty()) {
            throw new IllegalArgumentException(
                    "directoryTenants applies only to an issuer template with " + TENANT_PLACEHOLDER);
        }
        for (String tenant : directoryTenants) {
            if (!DIRECTORY_TENANT.matcher(tenant).matches()) {
                throw new IllegalArgumentException(
                        "directoryTenants entries must be 1-64 characters of letters, digits, '.', '_' or '-'");
            }
        }
        requireSecure("issuer", URI.create(issuer.replace(TENANT_PLACEHOLDER, "tenant")), allowInsecureLoopback);
        if (jwksUri != null) {
            requireSecure("jwksUri", jwksUri, allowInsecureLoopback);
        }
        if (introspection != null) {
            if (placeholders > 0) {
                throw new IllegalArgumentException("introspection applies only to an exact issuer, not to a template");
            }
            requireSecure("introspection endpoint", introspection.endpoint(), allowInsecureLoopback);
        }
        if (audiences.isEmpty() || audiences.stream().anyMatch(String::isEmpty)) {
            throw new IllegalArgumentException("audiences must list at least one non-empty audience");
        }
        if (algorithms.isEmpty()) {
            throw new IllegalArgumentException("algorithms must list at least one algorithm");
        }
        for (JWSAlgorithm algorithm : algorithms) {
            if (!ASYMMETRIC_ALGORITHMS.contains(algorithm)) {
                throw new IllegalArgumentException(
                        "algorithms may contain only asymmetric algorithms (RS*, PS*, ES*, EdDSA), not " + algorithm);
            }
        }
        if (clockSkew.isNegative() || clockSkew.compareTo(MAX_CLOCK_SKEW) > 0) {
            throw new IllegalArgumentException("clockSkew must be between 0 and 5 minutes");
        }
        if (requiredType != null && requiredType.isBlank()) {
            throw new IllegalArgumentException("requiredType must not be blank");
        }
    }

    /** Starts a policy for one exact issuer. */
    public static Builder forIssuer(String issuer) {
        return new Builder(issuer, Set.of());
    }

    /**
     * Starts a policy for a multi-tenant issuer template such as Entra's {@code
     * https://login.microsoftonline.com/{tenantid}/v2.0}, trusting only the listed directory tenants.
     */
    public static Builder forTemplate(String template, Set<String> directoryTenants) {
        return new Builder(template, directoryTenants);
    }

    /** Whether {@link #issuer()} is a multi-tenant template. */
    public boolean isTemplate() {
        return issuer.contains(TENANT_PLACEHOLDER);
    }

    public Optional<URI> jwksLocation() {
        return Optional.ofNullable(jwksUri);
    }

    public Optional<String> requiredTokenType() {
        return Optional.ofNullable(requiredType);
    }

    /** Where this issuer's opaque tokens are introspected, if anywhere. */
    public Optional<IntrospectionEndpoint> introspectionEndpoint() {
        return Optional.ofNullable(introspection);
    }

    /**
     * The concrete issuer this policy trusts for a token claiming {@code tokenIssuer} and carrying
     * {@code tid} (Entra's directory tenant claim, or null), or empty if it trusts neither. For a
     * template, {@code {tenantid}} is bound to {@code tid}, which must be on the allowlist, and the
     * result must equal {@code tokenIssuer} exactly.
     */
    public Optional<String> trustedIssuer(String tokenIssuer, @Nullable String tid) {
        if (!isTemplate()) {
            return issuer.equals(tokenIssuer) ? Optional.of(issuer) : Optional.empty();
        }
        if (tid == null || !directoryTenants.contains(tid)) {
            return Optional.empty();
        }
        String bound = issuer.replace(TENANT_PLACEHOLDER, tid);
        return bound.equals(tokenIssuer) ? Optional.of(bound) : Optional.empty();
    }

    /**
     * Whether {@code uri} may be fetched under this policy: https, or http on a loopback address
     * when {@link #allowInsecureLoopback()} is set.
     */
    public boolean permitsFetchFrom(URI uri) {
        return isSecure(uri, allowInsecureLoopback);
    }

    private static int countPlaceholders(String issuer) {
        int count = 0;
        for (int at = issuer.indexOf(TENANT_PLACEHOLDER);
                at >= 0;
                at = issuer.indexOf(TENANT_PLACEHOLDER, at + TENANT_PLACEHOLDER.length())) {
            count++;
        }
        return count;
    }

    private static void requireSecure(String field, URI uri, boolean allowInsecureLoopback) {
        if (!isSecure(uri, allowInsecureLoopback)) {
            throw new IllegalArgumentException(field
                    + " must be an absolute https URL without user info (http only on a loopback address with"
                    + " allowInsecureLoopback)");
        }
    }

    private static boolean isSecure(URI uri, boolean allowInsecureLoopback) {
        String scheme = uri.getScheme();
        String host = uri.getHost();
        if (scheme == null || host == null || host.isEmpty() || uri.getRawUserInfo() != null || uri.isOpaque()) {
            return false;
        }
        return switch (scheme.toLowerCase(Locale.ROOT)) {
            case "https" -> true;
            case "http" -> allowInsecureLoopback && isLoopbackLiteral(host);
            default -> false;
        };
    }

    // Only literal loopback addresses and "localhost": resolving an arbitrary name here would let
    // DNS decide whether plain http is allowed.
    private static boolean isLoopbackLiteral(String host) {
        if (host.equals("localhost")) {
            return true;
        }
        String literal = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (!literal.matches("[0-9.]+|[0-9a-fA-F:]+")) {
            return false;
        }
        try {
            return InetAddress.getByName(literal).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /**
     * Assembles an {@link IssuerPolicy}; defaults: all asymmetric algorithms, 60 s skew, any type, no
     * introspection.
     */
    public static final class Builder {
        private final String issuer;
        private final Set<String> directoryTenants;
        private @Nullable URI jwksUri;
        private final Set<String> audiences = new LinkedHashSet<>();
        private final Set<String> requiredScopes = new LinkedHashSet<>();
        private final Set<String> requiredRoles = new LinkedHashSet<>();
        private Set<JWSAlgorithm> algorithms = ASYMMETRIC_ALGORITHMS;
        private Duration clockSkew = Duration.ofSeconds(60);
        private @Nullable String requiredType;
        private boolean allowInsecureLoopback;
        private @Nullable IntrospectionEndpoint introspection;

        private Builder(String issuer, Set<String> directoryTenants) {
            this.issuer = issuer;
            this.directoryTenants = Set.copyOf(directoryTenants);
        }

        public Builder jwksUri(URI uri) {
            this.jwksUri = uri;
            return this;
        }

        public Builder audience(String... values) {
            audiences.addAll(Set.of(values));
            return this;
        }

        public Builder requiredScopes(String... values) {
            requiredScopes.addAll(Set.of(values));
            return this;
        }

        public Builder requiredRoles(String... values) {
            requiredRoles.addAll(Set.of(values));
            return this;
        }

        public Builder algorithms(JWSAlgorithm... values) {
            this.algorithms = Set.of(values);
            return this;
        }

        public Builder clockSkew(Duration skew) {
            this.clockSkew = skew;
            return this;
        }

        public Builder requiredType(String type) {
            this.requiredType = type;
            return this;
        }

        public Builder allowInsecureLoopback(boolean allow) {
            this.allowInsecureLoopback = allow;
            return this;
        }

        /** Introspects this issuer's opaque tokens at {@code endpoint} (RFC 7662). */
        public Builder introspection(IntrospectionEndpoint endpoint) {
            this.introspection = endpoint;
            return this;
        }

        /**
         * Builds the policy.
         *
         * @throws IllegalArgumentException as {@link IssuerPolicy#IssuerPolicy} does
         */
        public IssuerPolicy build() {
            return new IssuerPolicy(
                    issuer,
                    directoryTenants,
                    jwksUri,
                    audiences,
                    requiredScopes,
                    requiredRoles,
                    algorithms,
                    clockSkew,
                    requiredType,
                    allowInsecureLoopback,
                    introspection);
        }
    }
}
