package dev.latchkey.core.resource;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;

/** Where metadata documents live, derived from an issuer or resource identifier. */
final class WellKnown {
    static final String AUTHORIZATION_SERVER = "/.well-known/oauth-authorization-server";
    static final String OPENID_CONFIGURATION = "/.well-known/openid-configuration";
    static final String PROTECTED_RESOURCE = "/.well-known/oauth-protected-resource";

    private WellKnown() {}

    /**
     * The locations of an issuer's metadata, in the order the MCP authorization specification
     * tries them: RFC 8414 §3.1 (suffix inserted between host and path), OpenID Connect with the
     * suffix inserted, and OpenID Connect Discovery 1.0 §4 (suffix appended to the issuer). For an
     * issuer without a path the second and third coincide, so there are two.
     */
    static List<URI> authorizationServer(URI issuer) {
        String path = trimmedPath(issuer);
        List<URI> locations = new ArrayList<>();
        locations.add(at(issuer, AUTHORIZATION_SERVER + path));
        locations.add(at(issuer, OPENID_CONFIGURATION + path));
        if (!path.isEmpty()) {
            locations.add(at(issuer, path + OPENID_CONFIGURATION));
        }
        return List.copyOf(locations);
    }

    /** RFC 9728 §3.1: the suffix inserted between the resource's host and its path. */
    static URI protectedResource(URI resource) {
        return at(resource, PROTECTED_RESOURCE + trimmedPath(resource));
    }

    /** The suffix at the root of the resource's origin, the fallback the MCP specification names. */
    static URI protectedResourceAtRoot(URI resource) {
        return at(resource, PROTECTED_RESOURCE);
    }

    /** {@code scheme://authority} of {@code uri}, without a trailing slash. */
    static String originOf(URI uri) {
        return uri.getScheme() + "://" + uri.getRawAuthority();
    }

    // RFC 8414 §3.1 and RFC 9728 §3.1: a terminating "/" is removed before the suffix is
    // inserted; the query and fragment are not part of the location.
    private static String trimmedPath(URI uri) {
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        return path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }

    private static URI at(URI base, String rawPath) {
        try {
            return new URI(originOf(base) + rawPath);
        } catch (URISyntaxException e) {
            // The parts come from a URI that parsed; joined, they parse again.
            throw new IllegalStateException("well-known location of a valid URI is invalid", e);
        }
    }
}
