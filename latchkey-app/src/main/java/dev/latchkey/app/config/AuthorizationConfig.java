package dev.latchkey.app.config;

import dev.latchkey.core.secret.Secret;
import java.net.URI;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Interactive authorization of a user at a resource's authorization server: how the server is
 * found, whether Latchkey registers itself dynamically (RFC 7591) or uses a configured client, and
 * the scopes to request. Endpoints are configured only with {@link Discovery#STATIC}; the issuer is
 * required with {@link Discovery#RFC8414} and {@link Discovery#OIDC}, optional otherwise (then the
 * RFC 9207 {@code iss} of authorization responses is checked against it).
 *
 * @param clientAuthMethod how the client authenticates; empty = {@code client_secret_basic} with a
 *     secret (or {@code client_secret_post} where the server supports only that), {@code none}
 *     without
 * @param resourceIndicator the RFC 8707 {@code resource} parameter; empty = the resource's URL with
 *     {@link Discovery#RFC9728} (as MCP requires), none otherwise
 * @param authorizationParameters extra parameters of the authorization request
 * @param refreshSkew how long before expiry a stored token is refreshed before it is handed out
 */
public record AuthorizationConfig(
        Discovery discovery,
        boolean dynamicRegistration,
        List<String> scopes,
        Optional<URI> authorizationEndpoint,
        Optional<URI> tokenEndpoint,
        Optional<String> clientId,
        Optional<Secret> clientSecret,
        Optional<URI> issuer,
        Optional<URI> revocationEndpoint,
        Optional<ClientAuthMethod> clientAuthMethod,
        Optional<URI> resourceIndicator,
        Map<String, String> authorizationParameters,
        Duration refreshSkew)
        implements ResourceAccess {

    /** The default refresh skew: a token expiring within a minute is refreshed before use. */
    public static final Duration DEFAULT_REFRESH_SKEW = Duration.ofSeconds(60);

    /** Token endpoint client authentication methods Latchkey supports (RFC 8414 names). */
    public enum ClientAuthMethod {
        CLIENT_SECRET_BASIC,
        CLIENT_SECRET_POST,
        NONE
    }

    /** A configuration with only the first seven settings; the rest take their defaults. */
    public AuthorizationConfig(
            Discovery discovery,
            boolean dynamicRegistration,
            List<String> scopes,
            Optional<URI> authorizationEndpoint,
            Optional<URI> tokenEndpoint,
            Optional<String> clientId,
            Optional<Secret> clientSecret) {
        this(
                discovery,
                dynamicRegistration,
                scopes,
                authorizationEndpoint,
                tokenEndpoint,
                clientId,
                clientSecret,
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Map.of(),
                DEFAULT_REFRESH_SKEW);
    }

    /** How the authorization server's metadata is found. */
    public enum Discovery {
        /** RFC 9728 protected-resource metadata, as MCP servers publish it. */
        RFC9728,
        /** RFC 8414 authorization-server metadata. */
        RFC8414,
        /** OpenID Connect Discovery 1.0. */
        OIDC,
        /** No discovery: the endpoints are configured. */
        STATIC
    }

    /** Copies the scopes. */
    public AuthorizationConfig {
        scopes = List.copyOf(scopes);
        authorizationParameters = Collections.unmodifiableMap(new LinkedHashMap<>(authorizationParameters));
    }
}
