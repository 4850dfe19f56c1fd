package dev.latchkey.core.resource;

import java.net.URI;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * What Latchkey uses of an authorization server's metadata (RFC 8414 §2, or OpenID Connect
 * Discovery 1.0 §3), as discovered. Every endpoint passed the {@link UrlPolicy} of the discovery.
 *
 * @param issuer the issuer identifier, identical to the one discovery was asked for
 * @param authorizationEndpoint where the user is sent to consent
 * @param tokenEndpoint where codes are redeemed and tokens refreshed
 * @param revocationEndpoint the RFC 7009 revocation endpoint, if the server has one
 * @param registrationEndpoint the RFC 7591 dynamic client registration endpoint, if any
 * @param tokenEndpointAuthMethods {@code token_endpoint_auth_methods_supported}; empty when the
 *     server did not say, which RFC 8414 §2 defines as {@code client_secret_basic} alone (see
 *     {@link #supportsTokenEndpointAuthMethod(String)})
 * @param codeChallengeMethods {@code code_challenge_methods_supported}; empty when the server did
 *     not say, which means PKCE support is unknown
 * @param clientIdMetadataDocumentSupported {@code client_id_metadata_document_supported}: the
 *     server accepts a URL as {@code client_id} and fetches the client's metadata document from it
 * @param authorizationResponseIssParameterSupported {@code
 *     authorization_response_iss_parameter_supported}: the server sends {@code iss} in every
 *     authorization response (RFC 9207 §3)
 */
public record AuthorizationServer(
        URI issuer,
        URI authorizationEndpoint,
        URI tokenEndpoint,
        @Nullable URI revocationEndpoint,
        @Nullable URI registrationEndpoint,
        Set<String> tokenEndpointAuthMethods,
        Set<String> codeChallengeMethods,
        boolean clientIdMetadataDocumentSupported,
        boolean authorizationResponseIssParameterSupported) {

    /** The RFC 8414 §2 default of {@code token_endpoint_auth_methods_supported}. */
    public static final String DEFAULT_TOKEN_ENDPOINT_AUTH_METHOD = "client_secret_basic";

    public AuthorizationServer {
        tokenEndpointAuthMethods = Set.copyOf(tokenEndpointAuthMethods);
        codeChallengeMethods = Set.copyOf(codeChallengeMethods);
    }

    /** Whether the server advertises PKCE with {@code S256} (RFC 7636 §4.2). */
    public boolean supportsPkceS256() {
        return codeChallengeMethods.contains("S256");
    }

    /**
     * Whether the token endpoint accepts client authentication {@code method} (e.g. {@code
     * client_secret_post}), applying the RFC 8414 default when the server listed none.
     */
    public boolean supportsTokenEndpointAuthMethod(String method) {
        return tokenEndpointAuthMethods.isEmpty()
                ? DEFAULT_TOKEN_ENDPOINT_AUTH_METHOD.equals(method)
                : tokenEndpointAuthMethods.contains(method);
    }
}
