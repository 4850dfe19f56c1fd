package dev.latchkey.core.resource;

import java.net.URI;
import java.util.List;
import java.util.Set;

/**
 * What Latchkey uses of a protected resource's metadata (RFC 9728 §2), as discovered.
 *
 * @param resource the resource identifier, checked against the URL discovery was asked for (RFC
 *     9728 §3.3)
 * @param authorizationServers the issuer identifiers of the authorization servers the resource
 *     accepts tokens from, in the order listed; never empty, each passed the {@link UrlPolicy}
 * @param scopesSupported {@code scopes_supported}; empty when the resource did not say
 */
public record ProtectedResource(URI resource, List<URI> authorizationServers, Set<String> scopesSupported) {

    public ProtectedResource {
        authorizationServers = List.copyOf(authorizationServers);
        scopesSupported = Set.copyOf(scopesSupported);
        if (authorizationServers.isEmpty()) {
            throw new IllegalArgumentException("a protected resource names at least one authorization server");
        }
    }
}
