package dev.latchkey.core.downstream;

import dev.latchkey.core.grant.NimbusTokenEndpoint;
import dev.latchkey.core.grant.ResourceName;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * Everything Latchkey needs to be a client of one resource's authorization server, resolved from
 * configuration and discovery.
 *
 * @param name the tenant's name for the resource
 * @param url the resource's base URL
 * @param issuer the authorization server's issuer identifier, if known (checked against an RFC
 *     9207 {@code iss} in the authorization response)
 * @param issuerParameterRequired whether the server promised to send {@code iss} in every
 *     authorization response ({@code authorization_response_iss_parameter_supported})
 * @param authorizationEndpoint where the user is sent to consent
 * @param client how tokens are redeemed, refreshed and revoked
 * @param scopes the scopes requested at connect
 * @param authorizationParameters extra parameters of the authorization request (e.g. Google's
 *     {@code access_type=offline}); never ones Latchkey sets itself
 * @param refreshSkew how long before expiry a stored token is refreshed before it is handed out
 */
public record ResourceClient(
        ResourceName name,
        URI url,
        @Nullable URI issuer,
        boolean issuerParameterRequired,
        URI authorizationEndpoint,
        NimbusTokenEndpoint.Client client,
        Set<String> scopes,
        Map<String, String> authorizationParameters,
        Duration refreshSkew) {

    /** Parameters of an authorization request that only Latchkey itself may set. */
    public static final Set<String> RESERVED_PARAMETERS = Set.of(
            "response_type",
            "client_id",
            "redirect_uri",
            "scope",
            "state",
            "code_challenge",
            "code_challenge_method",
            "resource",
            "nonce",
            "request",
            "request_uri",
            "response_mode");

    /** Copies the collections and checks that no extra parameter overrides a reserved one. */
    public ResourceClient {
        scopes = Set.copyOf(new TreeSet<>(scopes));
        authorizationParameters = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(authorizationParameters));
        for (String parameter : authorizationParameters.keySet()) {
            if (RESERVED_PARAMETERS.contains(parameter)) {
                throw new IllegalArgumentException("authorization parameter " + parameter + " is set by Latchkey");
            }
        }
        if (refreshSkew.isNegative()) {
            throw new IllegalArgumentException("refresh skew must not be negative");
        }
    }
}
