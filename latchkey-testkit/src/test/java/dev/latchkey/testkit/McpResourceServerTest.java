package dev.latchkey.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.oauth2.sdk.AccessTokenResponse;
import com.nimbusds.oauth2.sdk.ClientCredentialsGrant;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.id.ClientID;
import dev.latchkey.core.resource.AuthorizationServer;
import dev.latchkey.core.resource.AuthorizationServerDiscovery;
import dev.latchkey.core.resource.BearerChallenge;
import dev.latchkey.core.resource.ProtectedResource;
import dev.latchkey.core.resource.UrlPolicy;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The MCP-style resource against a real issuer: what it serves, which tokens it takes, and that
 * Latchkey's discovery finds its authorization server through its 401 challenge.
 */
class McpResourceServerTest {
    private static final String ISSUER_ID = "mcp-as";
    private static final MockIdp idp = MockIdp.start();
    private static final HttpClient http = HttpClient.newHttpClient();

    private final McpResourceServer mcp = McpResourceServer.start(idp, ISSUER_ID, "files:read", "files:write");

    @AfterAll
    static void stopIdp() {
        idp.close();
    }

    @AfterEach
    void stopMcp() {
        mcp.close();
    }

    private String token(String subject, Map<String, Object> claims) {
        return idp.issueToken(ISSUER_ID, subject, "mcp", claims).serialize();
    }

    private HttpResponse<String> call(String method, URI uri, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                .method(
                        method,
                        HttpRequest.BodyPublishers.ofString("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"ping\"}"))
                .header("Content-Type", "application/json");
        if (headers.length > 0) {
            request.headers(headers);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> callWith(String token) throws Exception {
        return call("POST", mcp.url(), "Authorization", "Bearer " + token);
    }

    private static BearerChallenge challengeOf(HttpResponse<String> response) {
        return BearerChallenge.parse(response.headers().allValues("WWW-Authenticate"))
                .orElseThrow();
    }

    @Test
    void metadata_namesItselfAndItsIssuer() throws Exception {
        HttpResponse<String> response = call("GET", mcp.metadataUrl());

        Map<String, Object> metadata = JSONObjectUtils.parse(response.body());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(metadata.get("resource")).isEqualTo(mcp.url().toString());
        assertThat(metadata.get("authorization_servers")).isEqualTo(List.of(idp.issuer(ISSUER_ID)));
        assertThat(metadata.get("scopes_supported")).isEqualTo(List.of("files:read", "files:write"));
        assertThat(mcp.url().toString()).matches("http://127\\.0\\.0\\.1:\\d+/mcp");
        assertThat(mcp.metadataRequests()).isEqualTo(1);
    }

    @Test
    void mcp_noToken_401ChallengeNamingMetadataWithoutError() throws Exception {
        HttpResponse<String> response = call("POST", mcp.url());

        BearerChallenge challenge = challengeOf(response);
        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(challenge.resourceMetadata()).contains(mcp.metadataUrl().toString());
        assertThat(challenge.error()).isEmpty();
        assertThat(mcp.requests()).isEqualTo(1);
        assertThat(mcp.unauthorized()).isEqualTo(1);
    }

    @Test
    void mcp_validToken_200WithSubjectAndRequestId() throws Exception {
        HttpResponse<String> response = callWith(token("alice", Map.of()));

        Map<String, Object> body = JSONObjectUtils.parse(response.body());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(body).containsEntry("jsonrpc", "2.0").containsEntry("result", Map.of("ok", true, "sub", "alice"));
        assertThat(body.get("id"))
                .isInstanceOfSatisfying(
                        Number.class, id -> assertThat(id.intValue()).isEqualTo(7));
        assertThat(call("GET", mcp.url(), "Authorization", "Bearer " + token("alice", Map.of()))
                        .statusCode())
                .isEqualTo(200);
        assertThat(mcp.unauthorized()).isZero();
    }

    @Test
    void mcp_tokenOfAnotherIssuer_401InvalidToken() throws Exception {
        String foreign = idp.issueToken("other-as", "alice", "mcp", Map.of()).serialize();

        HttpResponse<String> response = callWith(foreign);

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(challengeOf(response).error()).contains("invalid_token");
    }

    @Test
    void mcp_expiredToken_401InvalidToken() throws Exception {
        String expired = idp.server()
                .issueToken(ISSUER_ID, "alice", "mcp", Map.of(), -120)
                .serialize();

        assertThat(callWith(expired).statusCode()).isEqualTo(401);
    }

    @Test
    void mcp_tamperedSignature_401InvalidToken() throws Exception {
        String token = token("alice", Map.of());
        String[] parts = token.split("\\.", -1);
        String forgedPayload = java.util.Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(("{\"iss\":\"" + idp.issuer(ISSUER_ID) + "\",\"sub\":\"mallory\",\"exp\":9999999999}")
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8));

        assertThat(callWith(parts[0] + "." + forgedPayload + "." + parts[2]).statusCode())
                .isEqualTo(401);
    }

    @Test
    void reject_unexpiredToken_401InvalidTokenWhileOthersStillPass() throws Exception {
        String revoked = token("alice", Map.of());
        String fresh = token("alice", Map.of("jti", "second"));
        assertThat(callWith(revoked).statusCode()).isEqualTo(200);

        mcp.reject(revoked);

        HttpResponse<String> refused = callWith(revoked);
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(challengeOf(refused).error()).contains("invalid_token");
        assertThat(challengeOf(refused).resourceMetadata())
                .contains(mcp.metadataUrl().toString());
        assertThat(callWith(fresh).statusCode()).isEqualTo(200);
        assertThat(mcp.unauthorized()).isEqualTo(1);
    }

    @Test
    void requireScope_tokenLacksIt_403InsufficientScopeNamingIt() throws Exception {
        mcp.requireScope("files:write");

        HttpResponse<String> lacking = callWith(token("alice", Map.of("scope", "files:read")));
        HttpResponse<String> holding = callWith(token("alice", Map.of("scope", "files:read files:write")));

        assertThat(lacking.statusCode()).isEqualTo(403);
        assertThat(challengeOf(lacking).error()).contains("insufficient_scope");
        assertThat(challengeOf(lacking).scopes()).containsExactly("files:write");
        assertThat(holding.statusCode()).isEqualTo(200);
        assertThat(mcp.forbidden()).isEqualTo(1);
    }

    @Test
    void requireAudience_tokenForAnotherResource_401() throws Exception {
        mcp.requireAudience(mcp.url().toString());

        assertThat(callWith(token("alice", Map.of())).statusCode()).isEqualTo(401);
        assertThat(callWith(idp.issueToken(ISSUER_ID, "alice", mcp.url().toString(), Map.of())
                                .serialize())
                        .statusCode())
                .isEqualTo(200);
    }

    @Test
    void discovery_fromChallengeToIssuerToTokenEndpoint_tokenAccepted() throws Exception {
        AuthorizationServerDiscovery discovery =
                new AuthorizationServerDiscovery(new UrlPolicy(true, false), Duration.ofSeconds(5));

        ProtectedResource resource = discovery.protectedResource(mcp.url());
        AuthorizationServer server =
                discovery.authorizationServer(resource.authorizationServers().getFirst());
        TokenResponse minted = TokenResponse.parse(new TokenRequest.Builder(
                        server.tokenEndpoint(),
                        new ClientSecretBasic(new ClientID("latchkey"), new Secret("s3cret")),
                        new ClientCredentialsGrant())
                .scope(new Scope("files:read"))
                .build()
                .toHTTPRequest()
                .send());

        assertThat(resource.resource()).isEqualTo(mcp.url());
        assertThat(resource.scopesSupported()).containsExactlyInAnyOrder("files:read", "files:write");
        assertThat(server.issuer().toString()).isEqualTo(idp.issuer(ISSUER_ID));
        assertThat(mcp.unauthorized()).isEqualTo(1);
        assertThat(mcp.metadataRequests()).isEqualTo(1);
        assertThat(minted.indicatesSuccess()).isTrue();
        String accessToken =
                ((AccessTokenResponse) minted).getTokens().getAccessToken().getValue();
        assertThat(callWith(accessToken).statusCode()).isEqualTo(200);
        assertThat(Optional.of(mcp.requests())).contains(2);
    }
}
