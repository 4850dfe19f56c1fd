package dev.latchkey.testkit;

import com.nimbusds.jwt.SignedJWT;
import java.net.InetAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.OAuth2Config;
import no.nav.security.mock.oauth2.token.OAuth2TokenProvider;
import okhttp3.mockwebserver.RecordedRequest;

/**
 * A real OAuth 2 / OpenID Connect server in process ({@code no.nav.security:mock-oauth2-server})
 * on a random loopback port. Every path segment after the port is an issuer of its own ({@code
 * /tenant-a}, {@code /tenant-b}), so one instance serves several tenants. It counts the calls
 * made to its token endpoints, so tests can assert that a refresh happened exactly once.
 */
public final class MockIdp implements AutoCloseable {
    private final MockOAuth2Server server;
    private final List<TokenRequest> tokenRequests = new ArrayList<>();

    private MockIdp(MockOAuth2Server server) {
        this.server = server;
    }

    /** Starts a server that rotates refresh tokens on every refresh, as Entra and Keycloak do. */
    public static MockIdp start() {
        return start(false);
    }

    /**
     * Starts a server on a random port of 127.0.0.1.
     *
     * @param interactiveLogin whether the authorization endpoint shows a login form (for browser
     *     tests and the demo) instead of answering at once
     */
    public static MockIdp start(boolean interactiveLogin) {
        OAuth2Config config = new OAuth2Config(
                interactiveLogin,
                null,
                null,
                true,
                new OAuth2TokenProvider(),
                Set.of(),
                new no.nav.security.mock.oauth2.http.MockWebServerWrapper());
        MockOAuth2Server server = new MockOAuth2Server(config);
        try {
            server.start(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 0);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("loopback address unavailable", e);
        }
        return new MockIdp(server);
    }

    /** The issuer identifier of {@code issuerId}, e.g. {@code http://127.0.0.1:40123/tenant-a}. */
    public String issuer(String issuerId) {
        return server.issuerUrl(issuerId).toString();
    }

    public URI tokenEndpoint(String issuerId) {
        return server.tokenEndpointUrl(issuerId).uri();
    }

    public URI jwksUri(String issuerId) {
        return server.jwksUrl(issuerId).uri();
    }

    public URI discoveryUri(String issuerId) {
        return server.wellKnownUrl(issuerId).uri();
    }

    public URI baseUri() {
        return server.baseUrl().uri();
    }

    /** Issues a signed access token for {@code subject} with the given audience and extra claims. */
    public SignedJWT issueToken(String issuerId, String subject, String audience, Map<String, Object> claims) {
        return server.issueToken(issuerId, subject, audience, claims);
    }

    /** Every token-endpoint call received so far, in arrival order. */
    public synchronized List<TokenRequest> tokenRequests() {
        drain();
        return List.copyOf(tokenRequests);
    }

    /** How many token-endpoint calls of {@code issuerId} matched {@code filter}. */
    public long tokenCalls(String issuerId, Predicate<TokenRequest> filter) {
        return tokenRequests().stream()
                .filter(request -> request.issuerId().equals(issuerId))
                .filter(filter)
                .count();
    }

    /** How many refresh-token grants of {@code issuerId} redeemed {@code refreshToken}. */
    public long refreshCalls(String issuerId, String refreshToken) {
        return tokenCalls(
                issuerId,
                request -> "refresh_token".equals(request.grantType())
                        && refreshToken.equals(request.parameters().get("refresh_token")));
    }

    /** The underlying server, for what this fixture does not wrap (callbacks, raw responses). */
    public MockOAuth2Server server() {
        return server;
    }

    @Override
    public void close() {
        server.shutdown();
    }

    private void drain() {
        while (true) {
            RecordedRequest request;
            try {
                request = server.takeRequest(0, TimeUnit.MILLISECONDS);
            } catch (RuntimeException empty) {
                // mock-oauth2-server 6 throws, rather than returning null, when no request is queued.
                return;
            }
            if (request == null) {
                return;
            }
            String path = request.getPath() == null ? "" : request.getPath();
            if ("POST".equals(request.getMethod()) && path.endsWith("/token")) {
                String issuerId = path.substring(1, path.length() - "/token".length());
                Map<String, String> form = parseForm(request.getBody().readUtf8());
                tokenRequests.add(new TokenRequest(issuerId, form.getOrDefault("grant_type", ""), form));
            }
        }
    }

    private static Map<String, String> parseForm(String body) {
        Map<String, String> form = new LinkedHashMap<>();
        for (String pair : body.split("&", -1)) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            form.put(URLDecoder.decode(name, StandardCharsets.UTF_8), URLDecoder.decode(value, StandardCharsets.UTF_8));
        }
        return form;
    }

    /** One call to a token endpoint: its issuer, grant type and form parameters. */
    public record TokenRequest(String issuerId, String grantType, Map<String, String> parameters) {
        public TokenRequest {
            parameters = Map.copyOf(parameters);
        }
    }
}
