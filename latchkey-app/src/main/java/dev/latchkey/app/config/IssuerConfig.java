package dev.latchkey.app.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * An IdP whose bearer tokens a tenant accepts: its issuer identifier, an optional JWKS URI (else
 * found by discovery), the audiences of which a token must name at least one, the scopes it must
 * carry, the signature algorithms allowed (asymmetric only) and the leeway for time claims.
 */
public record IssuerConfig(
        URI issuer,
        Optional<URI> jwksUri,
        List<String> audiences,
        List<String> requiredScopes,
        List<SigningAlgorithm> algorithms,
        Duration clockSkew) {

    /** The largest leeway allowed for {@code exp}, {@code nbf} and {@code iat}. */
    public static final Duration MAX_CLOCK_SKEW = Duration.ofMinutes(5);

    /** Copies the lists and checks the rules no caller may bend. */
    public IssuerConfig {
        audiences = List.copyOf(audiences);
        requiredScopes = List.copyOf(requiredScopes);
        algorithms = List.copyOf(algorithms);
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
}
