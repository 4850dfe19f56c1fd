package dev.latchkey.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.latchkey.app.config.ConfigLoader;
import dev.latchkey.app.config.LatchkeyConfig;
import dev.latchkey.core.crypto.Keyset;
import dev.latchkey.core.resource.BearerChallenge;
import dev.latchkey.core.secret.Secret;
import dev.latchkey.testkit.McpResourceServer;
import dev.latchkey.testkit.MockIdp;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An MCP server as a downstream resource, end to end over real HTTP: Latchkey discovers the
 * authorization server from the server's RFC 9728 metadata, connects the user with PKCE and an RFC
 * 8707 resource indicator, hands out a token the MCP server accepts, refreshes it once when the
 * server answers 401, steps up to the union of scopes after a {@code 403 insufficient_scope}, and
 * answers {@code 503} (never a 500, never a stored grant) when discovery fails or the metadata
 * names another resource. The peers are real: mock-oauth2-server and an MCP-style resource server
 * that verifies the tokens it is given.
 */
class McpDownstreamApplicationTest {
    private static final String AS = "mcp-as";
    private static final Pattern ACCESS_TOKEN = Pattern.compile("\"access_token\":\"([^\"]+)\"");
    private static final Pattern AUTHORIZATION_URL = Pattern.compile("\"authorization_url\":\"([^\"]+)\"");
    private static final String TOOLS_LIST = "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/list\"}";

    @TempDir
    Path dir;

    private MockIdp idp;
    private McpResourceServer mcp;
    private McpResourceServer impostor;
    private Application app;
    private final ApiCalls api = new ApiCalls(() -> app.port());

    @BeforeEach
    void start() throws Exception {
        idp = MockIdp.start();
        mcp = McpResourceServer.start(idp, AS, "openid", "offline_access", "tools:read", "tools:write");
        impostor = McpResourceServer.start(idp, AS, "openid");
        // RFC 9728 §3.3: the impostor's metadata names a resource other than the URL it serves.
        impostor.advertiseResource(URI.create("https://mcp.example.com/mcp"));
        app = Application.start(config(), Keyset.generate(), Clock.systemUTC());
    }

    @AfterEach
    void stop() {
        app.close();
        api.close();
        impostor.close();
        mcp.close();
        idp.close();
    }

    private LatchkeyConfig config() {
        String yaml = """
                server: { host: 127.0.0.1, port: 0, publicUrl: "http://127.0.0.1:8080" }
                database: { url: "jdbc:h2:file:%1$s" }
                keys: { keyset: "file:./keyset.json" }
                development: { allowInsecureHttp: true }
                tenants:
                  acme:
                    issuers: [ { issuer: %2$s, audiences: [latchkey] } ]
                    identity: { provisioning: jit }
                    resources:
                      mcp:
                        url: %3$s
                        authorization: { discovery: rfc9728, clientId: latchkey, clientSecret: s3cret, scopes: [openid, offline_access] }
                      down:
                        url: http://127.0.0.1:1/mcp
                        authorization: { discovery: rfc9728, clientId: latchkey, clientSecret: s3cret, scopes: [openid, offline_access] }
                      impostor:
                        url: %4$s
                        authorization: { discovery: rfc9728, clientId: latchkey, clientSecret: s3cret, scopes: [openid, offline_access] }
                """.formatted(
                dir.resolve("latchkey").toString().replace('\\', '/'), idp.issuer("acme"), mcp.url(), impostor.url());
        return new ConfigLoader(name -> Optional.empty()).loadText(yaml).orElseThrow();
    }

    @Test
    void mcpResource_discoveredConnected_refreshedAfter401_andSteppedUpAfter403() throws Exception {
        String alice = userToken("alice");

        // 1. No grant yet: the answer names the authorization server the MCP server's metadata
        // names, with PKCE S256 and the MCP server as the RFC 8707 resource.
        HttpResponse<String> none = api.get("/v1/tokens/mcp", alice);
        assertThat(none.statusCode()).as(none.body()).isEqualTo(401);
        assertThat(none.body()).contains("\"error\":\"authorization_required\"", "\"reason\":\"no_grant\"");
        assertThat(mcp.metadataRequests()).isPositive();
        URI authorize = URI.create(ApiCalls.find(AUTHORIZATION_URL, none.body()));
        assertThat(authorize.toString()).startsWith(mcp.issuer() + "/authorize");
        String query = authorize.getRawQuery();
        assertThat(decoded(ApiCalls.parameter(query, "resource")))
                .isEqualTo(mcp.url().toString());
        assertThat(ApiCalls.parameter(query, "code_challenge_method")).isEqualTo("S256");
        assertThat(ApiCalls.parameter(query, "code_challenge")).isNotEmpty();
        assertThat(decoded(ApiCalls.parameter(query, "scope")).split(" ", -1))
                .containsExactlyInAnyOrder("openid", "offline_access");

        HttpResponse<String> connected = api.callback(api.redirectFromIdp(authorize));
        assertThat(connected.statusCode()).as(connected.body()).isEqualTo(200);
        List<MockIdp.TokenRequest> codeGrants = idp.tokenRequests().stream()
                .filter(request ->
                        request.issuerId().equals(AS) && request.grantType().equals("authorization_code"))
                .toList();
        assertThat(codeGrants).hasSize(1);
        assertThat(codeGrants.getFirst().parameters())
                .containsEntry("resource", mcp.url().toString())
                .containsKey("code_verifier");

        // 2. The token works at the MCP server.
        HttpResponse<String> first = api.get("/v1/tokens/mcp", alice);
        assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
        String token = ApiCalls.find(ACCESS_TOKEN, first.body());
        HttpResponse<String> call = callMcp(token);
        assertThat(call.statusCode()).as(call.body()).isEqualTo(200);
        assertThat(call.body()).contains("\"id\":7", "\"ok\":true");

        // 3. The MCP server revokes the token before it expires: the client reports the 401 and gets
        // a new token from one refresh, which the MCP server accepts.
        mcp.reject(token);
        HttpResponse<String> refused = callMcp(token);
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(BearerChallenge.parse(refused.headers().allValues("WWW-Authenticate"))
                        .flatMap(BearerChallenge::error))
                .hasValue("invalid_token");
        HttpResponse<String> replaced = api.post(
                "/v1/tokens/mcp/refresh", alice, "{\"rejected_token_sha256\":\"" + Secret.sha256Hex(token) + "\"}");
        assertThat(replaced.statusCode()).as(replaced.body()).isEqualTo(200);
        String renewed = ApiCalls.find(ACCESS_TOKEN, replaced.body());
        assertThat(renewed).isNotEqualTo(token);
        assertThat(callMcp(renewed).statusCode()).isEqualTo(200);
        List<MockIdp.TokenRequest> refreshes = idp.tokenRequests().stream()
                .filter(request ->
                        request.issuerId().equals(AS) && request.grantType().equals("refresh_token"))
                .toList();
        assertThat(refreshes).hasSize(1);
        assertThat(refreshes.getFirst().parameters())
                .containsEntry("resource", mcp.url().toString());

        // 4. Scope step-up: the MCP server now wants tools:write; the client reports the scope its
        // challenge names and is sent through consent for the union of scopes.
        mcp.requireScope("tools:write");
        HttpResponse<String> forbidden = callMcp(renewed);
        assertThat(forbidden.statusCode()).isEqualTo(403);
        BearerChallenge challenge = BearerChallenge.parse(forbidden.headers().allValues("WWW-Authenticate"))
                .orElseThrow();
        assertThat(challenge.error()).hasValue("insufficient_scope");
        assertThat(challenge.scopes()).containsExactly("tools:write");
        HttpResponse<String> stepUp = api.post(
                "/v1/tokens/mcp/refresh",
                alice,
                "{\"required_scope\":\"" + String.join(" ", challenge.scopes()) + "\"}");
        assertThat(stepUp.statusCode()).as(stepUp.body()).isEqualTo(401);
        assertThat(stepUp.body()).contains("\"error\":\"authorization_required\"", "\"reason\":\"insufficient_scope\"");
        URI consent = URI.create(ApiCalls.find(AUTHORIZATION_URL, stepUp.body()));
        assertThat(consent.toString()).startsWith(mcp.issuer() + "/authorize");
        assertThat(decoded(ApiCalls.parameter(consent.getRawQuery(), "scope")).split(" ", -1))
                .containsExactlyInAnyOrder("openid", "offline_access", "tools:write");
        assertThat(decoded(ApiCalls.parameter(consent.getRawQuery(), "resource")))
                .isEqualTo(mcp.url().toString());

        // mock-oauth2-server puts no "scope" claim in the access tokens it issues by default; here it
        // is told to, as a server that records the granted scopes in its tokens does after consent.
        idp.server()
                .enqueueCallback(new DefaultOAuth2TokenCallback(
                        AS,
                        "alice-at-mcp",
                        "JWT",
                        List.of(mcp.url().toString()),
                        Map.of("scope", "openid offline_access tools:write")));
        HttpResponse<String> reconnected = api.callback(api.redirectFromIdp(consent));
        assertThat(reconnected.statusCode()).as(reconnected.body()).isEqualTo(200);
        HttpResponse<String> upgraded = api.get("/v1/tokens/mcp", alice);
        assertThat(upgraded.statusCode()).as(upgraded.body()).isEqualTo(200);
        String writer = ApiCalls.find(ACCESS_TOKEN, upgraded.body());
        assertThat(writer).isNotEqualTo(renewed);
        HttpResponse<String> allowed = callMcp(writer);
        assertThat(allowed.statusCode()).as(allowed.body()).isEqualTo(200);
        assertThat(mcp.forbidden()).isEqualTo(1);
    }

    @Test
    void unreachableMcpServer_answers503WithRetryAfter_neverA500() throws Exception {
        String alice = userToken("alice");
        for (int attempt = 0; attempt < 2; attempt++) {
            HttpResponse<String> down = api.get("/v1/tokens/down", alice);
            assertThat(down.statusCode()).as(down.body()).isEqualTo(503);
            assertThat(down.body()).contains("\"error\":\"temporarily_unavailable\"", "\"retryable\":true");
            assertThat(down.headers().firstValue("Retry-After"))
                    .hasValueSatisfying(
                            seconds -> assertThat(Long.parseLong(seconds)).isPositive());
        }
        HttpResponse<String> connect = api.send(api.request("/v1/connections/down/authorize", alice)
                .header("Accept", "application/json")
                .build());
        assertThat(connect.statusCode()).as(connect.body()).isEqualTo(503);
        assertThat(connect.headers().firstValue("Retry-After")).isPresent();
        assertThat(idp.tokenCalls(AS, request -> true)).isZero();
    }

    @Test
    void metadataNamingAnotherResource_answers503_andStoresNothing() throws Exception {
        String alice = userToken("alice");
        HttpResponse<String> answer = api.get("/v1/tokens/impostor", alice);
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(503);
        assertThat(answer.body()).contains("\"error\":\"temporarily_unavailable\"");
        assertThat(answer.body()).doesNotContain("authorization_url");
        assertThat(answer.headers().firstValue("Retry-After")).isPresent();
        // Discovery did read the impostor's metadata, and refused it for the resource it names.
        assertThat(impostor.metadataRequests()).isPositive();

        HttpResponse<String> stepUp =
                api.post("/v1/tokens/impostor/refresh", alice, "{\"required_scope\":\"tools:write\"}");
        assertThat(stepUp.statusCode()).as(stepUp.body()).isEqualTo(503);
        HttpResponse<String> connect = api.send(api.request("/v1/connections/impostor/authorize", alice)
                .header("Accept", "application/json")
                .build());
        assertThat(connect.statusCode()).as(connect.body()).isEqualTo(503);

        assertThat(api.get("/v1/connections", alice).body()).isEqualTo("{\"connections\":[]}");
        assertThat(idp.tokenCalls(AS, request -> true)).isZero();
    }

    /** A JSON-RPC request to the MCP server's streamable-HTTP endpoint with {@code token}. */
    private HttpResponse<String> callMcp(String token) throws Exception {
        return api.send(HttpRequest.newBuilder(mcp.url())
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(TOOLS_LIST))
                .build());
    }

    private static String decoded(String value) {
        return URLDecoder.decode(value, StandardCharsets.UTF_8);
    }

    private String userToken(String subject) {
        return idp.issueToken("acme", subject, "latchkey", Map.of("scope", "openid"))
                .serialize();
    }
}
