package dev.latchkey.app.config;

import dev.latchkey.core.secret.Secret;
import java.net.URI;
import java.util.List;
import java.util.Optional;

/**
 * Interactive authorization of a user at a resource's authorization server: how the server is
 * found, whether Latchkey registers itself dynamically (RFC 7591) or uses a configured client, and
 * the scopes to request. Endpoints are configured only with {@link Discovery#STATIC}.
 */
public record AuthorizationConfig(
        Discovery discovery,
        boolean dynamicRegistration,
        List<String> scopes,
        Optional<URI> authorizationEndpoint,
        Optional<URI> tokenEndpoint,
        Optional<String> clientId,
        Optional<Secret> clientSecret)
        implements ResourceAccess {

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
    }
}
