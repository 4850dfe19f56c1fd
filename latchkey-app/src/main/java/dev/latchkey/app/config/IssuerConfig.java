package dev.latchkey.app.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * An IdP whose bearer tokens a tenant accepts: its issuer identifier (or an Entra multi-tenant
 * template containing {@value #TENANT_PLACEHOLDER}, bound to the token's {@code tid}, with the
 * directory tenants it may take), an optional JWKS URI (else found by discovery), the audiences of
 * which a token must name at least one, the scopes it must carry, the signature algorithms allowed
 * (asymmetric only), the leeway for time claims, and where its opaque tokens are introspected.
 */
public record IssuerConfig(
        String issuer,
        List<String> allowedTenants,
        Optional<URI> jwksUri,
        List<String> audiences,
        List<String> requiredScopes,
        List<SigningAlgorithm> algorithms,
        Duration clockSkew,
        Optional<IntrospectionConfig> introspection) {

    /** The largest leeway allowed for {@code exp}, {@code nbf} and {@code iat}. */
    public static final Duration MAX_CLOCK_SKEW = Duration.ofMinutes(5);

    /** The only placeholder an issuer may contain: Entra's directory tenant id. */
    public static final String TENANT_PLACEHOLDER = "{tenantid}";

    /** Copies the lists and checks the rules no caller may bend. */
    public IssuerConfig {
        allowedTenants = List.copyOf(allowedTenants);
        audiences = List.copyOf(audiences);
        requiredScopes = List.copyOf(requiredScopes);
        algorithms = List.copyOf(algorithms);
        boolean template = issuer.contains(TENANT_PLACEHOLDER);
        if (template && allowedTenants.isEmpty()) {
            throw new IllegalArgumentException("an issuer template needs at least one allowed tenant");
        }
        if (!template && !allowedTenants.isEmpty()) {
            throw new IllegalArgumentException("allowedTenants applies only to an issuer with " + TENANT_PLACEHOLDER);
        }
        if (template && introspection.isPresent()) {
            throw new IllegalArgumentException("introspection applies only to an exact issuer");
        }
        if (audiences.isEmpty()) {
            throw new IllegalArgumentException("an issuer needs at least one audience");
        }
        if (algorithms.isEmpty()) {
            throw new IllegalArgumentException("an issuer needs at least one algorithm");
        }
        if (clockSkew.isNegative() || clockSkew.compareTo(MAX_CLOCK_SKEW) > 0) {
            throw new IllegalArgumentException("clockSkew must be between 0 and 5 minutes");
        }
    }

    /** An exact issuer without directory tenants or introspection. */
    public IssuerConfig(
            URI issuer,
            Optional<URI> jwksUri,
            List<String> audiences,
            List<String> requiredScopes,
            List<SigningAlgorithm> algorithms,
            Duration clockSkew) {
        this(issuer.toString(), List.of(), jwksUri, audiences, requiredScopes, algorithms, clockSkew, Optional.empty());
    }

    /** Whether {@link #issuer()} is a multi-tenant template. */
    public boolean isTemplate() {
        return issuer.contains(TENANT_PLACEHOLDER);
    }
}
