package dev.latchkey.core.resource;

import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.as.AuthorizationServerMetadata;
import com.nimbusds.oauth2.sdk.auth.ClientAuthenticationMethod;
import com.nimbusds.oauth2.sdk.pkce.CodeChallengeMethod;
import com.nimbusds.oauth2.sdk.util.JSONObjectUtils;
import dev.latchkey.core.resource.DiscoveryException.Reason;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import net.minidev.json.JSONObject;
import org.jspecify.annotations.Nullable;

/**
 * Finds a resource's authorization server: RFC 9728 protected-resource metadata (located through
 * the resource's {@code WWW-Authenticate} challenge or its well-known URL), then the server's RFC
 * 8414 or OpenID Connect discovery metadata. Every URL fetched or returned passes the {@link
 * UrlPolicy}; every fetch is bounded by the timeout (connect, headers and body together) and by
 * {@value #MAX_DOCUMENT_BYTES} bytes of body; redirects are never followed.
 *
 * <p>Thread-safe and stateless: nothing is cached, callers cache what they discover. Both kinds of
 * server metadata are read with Nimbus's {@link AuthorizationServerMetadata} parser, since
 * Latchkey uses only the OAuth members an OpenID provider's document shares with RFC 8414, and
 * an OpenID parser would refuse a document lacking members Latchkey never reads.
 */
public final class AuthorizationServerDiscovery {
    /** The largest metadata document read. */
    public static final int MAX_DOCUMENT_BYTES = 256 * 1024;

    private static final String JSON = "application/json";
    // MCP streamable HTTP servers may refuse a request that does not accept both.
    private static final String RESOURCE_ACCEPT = "application/json, text/event-stream";

    private final UrlPolicy policy;
    private final MetadataFetcher fetcher;

    /**
     * @param policy which URLs may be fetched and returned
     * @param timeout the bound of each HTTP exchange (connect, headers and body); each call makes at
     *     most three
     */
    public AuthorizationServerDiscovery(UrlPolicy policy, Duration timeout) {
        this(policy, timeout, MAX_DOCUMENT_BYTES);
    }

    AuthorizationServerDiscovery(UrlPolicy policy, Duration timeout, int maxDocumentBytes) {
        this.policy = policy;
        this.fetcher = new MetadataFetcher(timeout, maxDocumentBytes);
    }

    public UrlPolicy policy() {
        return policy;
    }

    /**
     * The metadata of {@code issuer}, tried at the RFC 8414 §3.1 location, then at the OpenID
     * Connect ones (as the MCP authorization specification orders them). A location that answers
     * 4xx, 5xx or something other than a JSON object is skipped; the first JSON document found
     * must name exactly {@code issuer} (RFC 8414 §3.3), and its endpoints must pass the policy.
     *
     * @throws DiscoveryException with {@link Reason#INSECURE_URL}, {@link
     *     Reason#FORBIDDEN_ADDRESS}, {@link Reason#UNREACHABLE}, {@link Reason#METADATA_NOT_FOUND},
     *     {@link Reason#BAD_METADATA} or {@link Reason#ISSUER_MISMATCH}
     */
    public AuthorizationServer authorizationServer(URI issuer) throws DiscoveryException {
        policy.check(issuer);
        if (issuer.getRawQuery() != null) {
            throw new DiscoveryException(
                    Reason.INSECURE_URL, "an issuer identifier has no query component (RFC 8414 §2)");
        }
        Attempts attempts = new Attempts();
        for (URI location : WellKnown.authorizationServer(issuer)) {
            // A connection failure ends discovery: every location is on the same host.
            @Nullable String body = attempts.document(fetcher.get(location, JSON, true));
            if (body == null) {
                continue;
            }
            Optional<JSONObject> json = parseObject(body);
            if (json.isEmpty()) {
                attempts.notJson = true;
                continue;
            }
            return authorizationServer(issuer, location, json.get());
        }
        throw attempts.failure("authorization server metadata of " + DiscoveryException.origin(issuer));
    }

    /**
     * The protected-resource metadata of {@code resourceUrl} (RFC 9728). First an unauthenticated
     * GET of the resource: a 401 whose {@code Bearer} challenge carries {@code resource_metadata}
     * (RFC 9728 §5.1) names the document. Otherwise the well-known location (§3.1), then the
     * well-known location at the root of the origin. The document's {@code resource} must equal
     * {@code resourceUrl} (§3.3; at the root of the origin, the origin is accepted as well), and it
     * must name at least one authorization server, each passing the policy.
     *
     * @throws DiscoveryException with {@link Reason#INSECURE_URL}, {@link
     *     Reason#FORBIDDEN_ADDRESS}, {@link Reason#UNREACHABLE}, {@link Reason#METADATA_NOT_FOUND},
     *     {@link Reason#BAD_METADATA}, {@link Reason#RESOURCE_MISMATCH} or {@link
     *     Reason#NO_AUTHORIZATION_SERVER}
     */
    public ProtectedResource protectedResource(URI resourceUrl) throws DiscoveryException {
        policy.check(resourceUrl);
        MetadataFetcher.Response probe = fetcher.get(resourceUrl, RESOURCE_ACCEPT, false);
        if (probe.status() == 401) {
            Optional<String> location =
                    BearerChallenge.parse(probe.wwwAuthenticate()).flatMap(BearerChallenge::resourceMetadata);
            if (location.isPresent()) {
                return fromMetadataUrl(resourceUrl, location.get());
            }
        }
        return fromWellKnown(resourceUrl);
    }

    /**
     * As {@link #protectedResource(URI)}, for a caller that already holds the resource's 401
     * answer: {@code wwwAuthenticate} is its {@code WWW-Authenticate} value (several fields joined
     * with {@code ", "}). Without {@code resource_metadata} in its {@code Bearer} challenge, the
     * well-known locations are tried.
     *
     * @throws DiscoveryException as {@link #protectedResource(URI)}
     */
    public ProtectedResource fromChallenge(URI resourceUrl, String wwwAuthenticate) throws DiscoveryException {
        policy.check(resourceUrl);
        Optional<String> location = BearerChallenge.parse(wwwAuthenticate).flatMap(BearerChallenge::resourceMetadata);
        if (location.isPresent()) {
            return fromMetadataUrl(resourceUrl, location.get());
        }
        return fromWellKnown(resourceUrl);
    }

    private ProtectedResource fromMetadataUrl(URI resourceUrl, String metadataUrl) throws DiscoveryException {
        URI location;
        try {
            location = new URI(metadataUrl);
        } catch (URISyntaxException e) {
            throw new DiscoveryException(Reason.BAD_METADATA, "the resource_metadata of the challenge is not a URL");
        }
        try {
            policy.check(location);
        } catch (DiscoveryException e) {
            throw e.within("resource_metadata");
        }
        Attempts attempts = new Attempts();
        @Nullable String body = attempts.document(fetcher.get(location, JSON, true));
        Optional<JSONObject> json = body == null ? Optional.empty() : parseObject(body);
        if (body != null && json.isEmpty()) {
            attempts.notJson = true;
        }
        if (json.isEmpty()) {
            throw attempts.failure("protected resource metadata at " + DiscoveryException.origin(location));
        }
        // RFC 9728 §3.3: found through a challenge, it must name the URL that was requested.
        return protectedResource(location, json.get(), Set.of(resourceUrl.toString()));
    }

    private ProtectedResource fromWellKnown(URI resourceUrl) throws DiscoveryException {
        URI inserted = WellKnown.protectedResource(resourceUrl);
        URI root = WellKnown.protectedResourceAtRoot(resourceUrl);
        String origin = WellKnown.originOf(resourceUrl);
        Set<String> atRoot = Set.of(resourceUrl.toString(), origin, origin + "/");
        List<URI> locations = inserted.equals(root) ? List.of(root) : List.of(inserted, root);
        Attempts attempts = new Attempts();
        for (URI location : locations) {
            @Nullable String body = attempts.document(fetcher.get(location, JSON, true));
            if (body == null) {
                continue;
            }
            Optional<JSONObject> json = parseObject(body);
            if (json.isEmpty()) {
                attempts.notJson = true;
                continue;
            }
            // RFC 9728 §3.3: the resource is the identifier the well-known URL was built from.
            return protectedResource(
                    location, json.get(), location.equals(root) ? atRoot : Set.of(resourceUrl.toString()));
        }
        throw attempts.failure("protected resource metadata of " + DiscoveryException.origin(resourceUrl));
    }

    private ProtectedResource protectedResource(URI location, JSONObject json, Set<String> expectedResources)
            throws DiscoveryException {
        String where = DiscoveryException.origin(location);
        if (!(json.get("resource") instanceof String resource)) {
            throw new DiscoveryException(
                    Reason.BAD_METADATA, "the protected resource metadata at " + where + " names no resource");
        }
        if (!expectedResources.contains(resource)) {
            throw new DiscoveryException(
                    Reason.RESOURCE_MISMATCH,
                    "the protected resource metadata at " + where + " names another resource (RFC 9728 §3.3)");
        }
        List<String> servers;
        List<String> scopes;
        try {
            servers = JSONObjectUtils.getStringList(json, "authorization_servers", List.of());
            scopes = JSONObjectUtils.getStringList(json, "scopes_supported", List.of());
        } catch (ParseException e) {
            throw new DiscoveryException(
                    Reason.BAD_METADATA, "the protected resource metadata at " + where + " has a mistyped member");
        }
        if (servers.isEmpty()) {
            throw new DiscoveryException(
                    Reason.NO_AUTHORIZATION_SERVER,
                    "the protected resource metadata at " + where + " names no authorization server");
        }
        List<URI> issuers = new ArrayList<>();
        for (String server : servers) {
            issuers.add(checkedUri("authorization_servers", server, where));
        }
        URI identifier;
        try {
            identifier = new URI(resource);
        } catch (URISyntaxException e) {
            throw new DiscoveryException(Reason.BAD_METADATA, "the resource at " + where + " is not a URL");
        }
        return new ProtectedResource(identifier, issuers, new LinkedHashSet<>(scopes));
    }

    private AuthorizationServer authorizationServer(URI issuer, URI location, JSONObject json)
            throws DiscoveryException {
        String where = DiscoveryException.origin(location);
        if (!(json.get("issuer") instanceof String named)) {
            throw new DiscoveryException(Reason.BAD_METADATA, "the metadata at " + where + " names no issuer");
        }
        // RFC 8414 §3.3 (and OpenID Connect Discovery 1.0 §4.3): identical, or an impersonation.
        if (!named.equals(issuer.toString())) {
            throw new DiscoveryException(
                    Reason.ISSUER_MISMATCH, "the metadata at " + where + " names another issuer (RFC 8414 §3.3)");
        }
        AuthorizationServerMetadata metadata;
        try {
            metadata = AuthorizationServerMetadata.parse(json);
        } catch (ParseException e) {
            throw new DiscoveryException(
                    Reason.BAD_METADATA, "the metadata at " + where + " is not valid authorization server metadata");
        }
        URI authorizationEndpoint = required("authorization_endpoint", metadata.getAuthorizationEndpointURI(), where);
        URI tokenEndpoint = required("token_endpoint", metadata.getTokenEndpointURI(), where);
        URI revocationEndpoint = optional("revocation_endpoint", metadata.getRevocationEndpointURI());
        URI registrationEndpoint = optional("registration_endpoint", metadata.getRegistrationEndpointURI());
        Set<String> authMethods = new LinkedHashSet<>();
        List<ClientAuthenticationMethod> advertisedMethods = metadata.getTokenEndpointAuthMethods();
        if (advertisedMethods != null) {
            advertisedMethods.forEach(method -> authMethods.add(method.getValue()));
        }
        Set<String> challengeMethods = new LinkedHashSet<>();
        List<CodeChallengeMethod> advertisedChallenges = metadata.getCodeChallengeMethods();
        if (advertisedChallenges != null) {
            advertisedChallenges.forEach(method -> challengeMethods.add(method.getValue()));
        }
        return new AuthorizationServer(
                issuer,
                authorizationEndpoint,
                tokenEndpoint,
                revocationEndpoint,
                registrationEndpoint,
                authMethods,
                challengeMethods,
                Boolean.TRUE.equals(json.get("client_id_metadata_document_supported")),
                metadata.supportsAuthorizationResponseIssuerParam());
    }

    private URI required(String member, @Nullable URI endpoint, String where) throws DiscoveryException {
        if (endpoint == null) {
            throw new DiscoveryException(Reason.BAD_METADATA, "the metadata at " + where + " has no " + member);
        }
        return checked(member, endpoint);
    }

    private @Nullable URI optional(String member, @Nullable URI endpoint) throws DiscoveryException {
        return endpoint == null ? null : checked(member, endpoint);
    }

    private URI checked(String member, URI endpoint) throws DiscoveryException {
        try {
            return policy.check(endpoint);
        } catch (DiscoveryException e) {
            throw e.within(member);
        }
    }

    private URI checkedUri(String member, String value, String where) throws DiscoveryException {
        URI uri;
        try {
            uri = new URI(value);
        } catch (URISyntaxException e) {
            throw new DiscoveryException(Reason.BAD_METADATA, member + " at " + where + " holds something not a URL");
        }
        return checked(member, uri);
    }

    private static Optional<JSONObject> parseObject(String body) {
        try {
            return Optional.of(JSONObjectUtils.parse(body));
        } catch (ParseException | RuntimeException e) {
            // Not JSON (an HTML page, say): the location does not hold metadata.
            return Optional.empty();
        }
    }

    /** What the well-known locations answered, to name the failure when none held metadata. */
    private static final class Attempts {
        private boolean serverError;
        private boolean notJson;
        private int lastStatus;

        /** The body of a 200 answer, or null after noting why there is none. */
        @Nullable
        String document(MetadataFetcher.Response response) {
            if (response.status() == 200) {
                return response.body();
            }
            lastStatus = response.status();
            if (response.status() == 429 || response.status() >= 500) {
                serverError = true;
            }
            return null;
        }

        DiscoveryException failure(String what) {
            if (serverError) {
                return new DiscoveryException(Reason.UNREACHABLE, what + ": server error or rate limit");
            }
            if (notJson) {
                return new DiscoveryException(Reason.BAD_METADATA, what + ": not a JSON object");
            }
            String redirect = lastStatus >= 300 && lastStatus < 400 ? ", redirects are not followed" : "";
            return new DiscoveryException(
                    Reason.METADATA_NOT_FOUND, what + ": not found (last answer " + lastStatus + redirect + ")");
        }
    }
}
