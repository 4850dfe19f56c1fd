package dev.latchkey.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.latchkey.app.config.ConfigLoader;
import dev.latchkey.app.config.LatchkeyConfig;
import dev.latchkey.core.crypto.Keyset;
import dev.latchkey.core.secret.Secret;
import dev.latchkey.testkit.MockIdp;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The downstream token manager end to end over real HTTP: a user connects a resource at a real
 * authorization server (mock-oauth2-server, OIDC discovery, PKCE), gets its token, reports a 401
 * and gets a refreshed one exactly once however many callers report it, lists and disconnects.
 * Bad callbacks store nothing. Two tenants with the same subject never see each other's grants.
 */
class DownstreamTokensApplicationTest {
    private static final Pattern ACCESS_TOKEN = Pattern.compile("\"access_token\":\"([^\"]+)\"");
    private static final Pattern USER = Pattern.compile("\"user\":\"([^\"]+)\"");
    private static final Pattern AUTHORIZATION_URL = Pattern.compile("\"authorization_url\":\"([^\"]+)\"");

    @TempDir
    Path dir;

    private MockIdp idp;
    private Application app;
    private final ApiCalls api = new ApiCalls(() -> app.port());

    @BeforeEach
    void start() throws Exception {
        idp = MockIdp.start();
        app = Application.start(config(), Keyset.generate(), Clock.systemUTC());
    }

    @AfterEach
    void stop() {
        app.close();
        api.close();
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
                    cors: { allowedOrigins: ["http://127.0.0.1:9999"] }
                    services: [ { id: chat-backend, clientId: chat-backend, scopes: [tokens:read] } ]
                    resources:
                      github:
                        url: http://127.0.0.1:1/api
                        authorization:
                          discovery: oidc
                          issuer: %3$s
                          clientId: latchkey
                          clientSecret: s3cret
                          scopes: [openid, repo, offline_access]
                          authorizationParameters: { access_type: offline }
                  other:
                    issuers: [ { issuer: %4$s, audiences: [latchkey] } ]
                    identity: { provisioning: jit }
                    resources:
                      github:
                        url: http://127.0.0.1:1/api
                        authorization: { discovery: oidc, issuer: %3$s, clientId: latchkey, clientSecret: s3cret, scopes: [openid] }
                """.formatted(
                        dir.resolve("latchkey").toString().replace('\\', '/'),
                        idp.issuer("acme"),
                        idp.issuer("github"),
                        idp.issuer("other"));
        return new ConfigLoader(name -> Optional.empty()).loadText(yaml).orElseThrow();
    }

    @Test
    void connect_thenToken_thenReportedRejection_refreshesOnce_andDisconnectEndsIt() throws Exception {
        String alice = userToken("acme", "alice");
        HttpResponse<String> none = api.get("/v1/tokens/github", alice);
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.body()).contains("\"error\":\"authorization_required\"", "\"reason\":\"no_grant\"");
        URI authorize = URI.create(ApiCalls.find(AUTHORIZATION_URL, none.body()));
        assertThat(authorize.toString())
                .startsWith(idp.issuer("github"))
                .contains("code_challenge_method=S256", "access_type=offline", "client_id=latchkey");

        HttpResponse<String> callback = api.callback(api.redirectFromIdp(authorize));
        assertThat(callback.statusCode()).as(callback.body()).isEqualTo(200);
        assertThat(callback.body()).contains("github account is connected");
        assertThat(idp.tokenCalls(
                        "github",
                        request -> "authorization_code".equals(request.grantType())
                                && request.parameters().containsKey("code_verifier")))
                .isEqualTo(1);

        HttpResponse<String> first = api.get("/v1/tokens/github", alice);
        assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
        assertThat(first.headers().firstValue("Cache-Control")).hasValue("no-store");
        assertThat(first.body()).contains("\"token_type\":\"Bearer\"", "\"expires_in\":");
        String token = ApiCalls.find(ACCESS_TOKEN, first.body());

        // 20 callers report the same rejected token at once: one refresh, one new token for all.
        List<String> answers = concurrently(20, () -> api.post("/v1/tokens/github/refresh", alice, rejected(token)));
        assertThat(idp.tokenCalls("github", request -> "refresh_token".equals(request.grantType())))
                .isEqualTo(1);
        Set<String> tokens = new HashSet<>();
        for (String answer : answers) {
            tokens.add(ApiCalls.find(ACCESS_TOKEN, answer));
        }
        assertThat(tokens).hasSize(1).doesNotContain(token);

        // A late report of the old token gets the stored one without another refresh.
        HttpResponse<String> late = api.post("/v1/tokens/github/refresh", alice, rejected(token));
        assertThat(ApiCalls.find(ACCESS_TOKEN, late.body()))
                .isEqualTo(tokens.iterator().next());
        assertThat(idp.tokenCalls("github", request -> "refresh_token".equals(request.grantType())))
                .isEqualTo(1);

        HttpResponse<String> list = api.get("/v1/connections", alice);
        assertThat(list.body()).contains("\"resource\":\"github\"", "\"refreshable\":true");
        assertThat(list.body()).doesNotContain(tokens.iterator().next());

        assertThat(api.send(api.request("/v1/connections/github", alice)
                                .DELETE()
                                .build())
                        .statusCode())
                .isEqualTo(204);
        assertThat(api.get("/v1/tokens/github", alice).statusCode()).isEqualTo(401);
        assertThat(api.send(api.request("/v1/connections/github", alice)
                                .DELETE()
                                .build())
                        .statusCode())
                .isEqualTo(404);
    }

    @Test
    void callback_replayedUnknownOrFromAnotherIssuer_isRefused_andStoresNothing() throws Exception {
        String alice = userToken("acme", "alice");
        URI authorize = authorizationUrl(alice);
        String query = api.redirectFromIdp(authorize);

        HttpResponse<String> forgedIssuer = api.callback(
                withoutIss(query) + "&iss=" + URLEncoder.encode("https://evil.example.com", StandardCharsets.UTF_8));
        assertThat(forgedIssuer.statusCode()).isEqualTo(400);
        assertThat(forgedIssuer.body()).contains("invalid_request");
        // The state was spent by the refused attempt: replaying the genuine response fails too.
        HttpResponse<String> replay = api.callback(query);
        assertThat(replay.statusCode()).isEqualTo(400);
        assertThat(api.callback("state=acme.unknown&code=abc").statusCode()).isEqualTo(400);
        assertThat(api.callback("state=no-tenant&code=abc").statusCode()).isEqualTo(400);
        assertThat(api.callback("code=abc").statusCode()).isEqualTo(400);
        assertThat(api.get("/v1/tokens/github", alice).statusCode()).isEqualTo(401);
        assertThat(idp.tokenCalls("github", request -> true)).isZero();
    }

    @Test
    void callback_errorFromTheServer_isReported_andStoresNothing() throws Exception {
        String alice = userToken("acme", "alice");
        URI authorize = authorizationUrl(alice);
        String state = ApiCalls.parameter(authorize.getRawQuery(), "state");
        HttpResponse<String> denied = api.callback("state=" + state + "&error=access_denied");
        assertThat(denied.statusCode()).isEqualTo(400);
        assertThat(denied.body()).contains("access_denied");
        assertThat(api.get("/v1/tokens/github", alice).statusCode()).isEqualTo(401);
    }

    @Test
    void authorize_returnTo_onlyToAllowedOrigins() throws Exception {
        String alice = userToken("acme", "alice");
        HttpResponse<String> foreign = api.send(api.request(
                        "/v1/connections/github/authorize?return_to="
                                + URLEncoder.encode("https://evil.example.com/", StandardCharsets.UTF_8),
                        alice)
                .build());
        assertThat(foreign.statusCode()).isEqualTo(400);

        HttpResponse<String> allowed = api.send(api.request(
                        "/v1/connections/github/authorize?return_to="
                                + URLEncoder.encode("http://127.0.0.1:9999/panel", StandardCharsets.UTF_8),
                        alice)
                .build());
        assertThat(allowed.statusCode()).isEqualTo(302);
        URI authorize = URI.create(allowed.headers().firstValue("Location").orElseThrow());
        HttpResponse<String> back = api.callback(api.redirectFromIdp(authorize));
        assertThat(back.statusCode()).isEqualTo(303);
        assertThat(back.headers().firstValue("Location"))
                .hasValue("http://127.0.0.1:9999/panel?latchkey_connected=github");
    }

    @Test
    void tenants_withTheSameSubject_neverSeeEachOthersGrants() throws Exception {
        String acmeAlice = userToken("acme", "alice");
        String otherAlice = userToken("other", "alice");
        api.callback(api.redirectFromIdp(authorizationUrl(acmeAlice)));
        assertThat(api.get("/v1/tokens/github", acmeAlice).statusCode()).isEqualTo(200);

        assertThat(api.get("/v1/tokens/github", otherAlice).statusCode()).isEqualTo(401);
        assertThat(api.get("/v1/connections", otherAlice).body()).isEqualTo("{\"connections\":[]}");
    }

    @Test
    void stepUp_asksForTheUnionOfScopesOnce_thenRefuses() throws Exception {
        String alice = userToken("acme", "alice");
        api.callback(api.redirectFromIdp(authorizationUrl(alice)));

        HttpResponse<String> stepUp =
                api.post("/v1/tokens/github/refresh", alice, "{\"required_scope\":\"admin:org\"}");
        assertThat(stepUp.statusCode()).as(stepUp.body()).isEqualTo(401);
        assertThat(stepUp.body()).contains("\"reason\":\"insufficient_scope\"");
        String scope = ApiCalls.parameter(
                URI.create(ApiCalls.find(AUTHORIZATION_URL, stepUp.body())).getRawQuery(), "scope");
        assertThat(URLDecoder.decode(scope, StandardCharsets.UTF_8).split(" ", -1))
                .containsExactlyInAnyOrder("admin:org", "offline_access", "openid", "repo");

        // Asking for a scope the grant already holds cannot be helped by consenting again.
        HttpResponse<String> loop = api.post("/v1/tokens/github/refresh", alice, "{\"required_scope\":\"repo\"}");
        assertThat(loop.statusCode()).isEqualTo(403);
        assertThat(loop.body()).contains("\"error\":\"insufficient_scope\"");
        assertThat(api.post("/v1/tokens/github/refresh", alice, "{\"required_scope\":\"bad\\\"scope\"}")
                        .statusCode())
                .isEqualTo(400);
        assertThat(api.post(
                                "/v1/tokens/github/refresh",
                                alice,
                                "{\"required_scope\":\"a\",\"rejected_token_sha256\":\"" + "a".repeat(64) + "\"}")
                        .statusCode())
                .isEqualTo(400);
    }

    @Test
    void servicePrincipal_actsOnlyForExistingUsersOfItsOwnTenant() throws Exception {
        String alice = userToken("acme", "alice");
        api.callback(api.redirectFromIdp(authorizationUrl(alice)));
        String aliceToken =
                ApiCalls.find(ACCESS_TOKEN, api.get("/v1/tokens/github", alice).body());
        String aliceId = ApiCalls.find(USER, api.get("/v1/me", alice).body());
        String otherId = ApiCalls.find(
                USER, api.get("/v1/me", userToken("other", "alice")).body());
        String service = idp.issueToken(
                        "acme", "chat-backend", "latchkey", Map.of("client_id", "chat-backend", "scope", "tokens:read"))
                .serialize();

        HttpResponse<String> acting = api.send(api.request("/v1/tokens/github", service)
                .header("X-Latchkey-User", aliceId)
                .build());
        assertThat(acting.statusCode()).as(acting.body()).isEqualTo(200);
        assertThat(ApiCalls.find(ACCESS_TOKEN, acting.body())).isEqualTo(aliceToken);

        for (String stranger : List.of(otherId, "no-such-user")) {
            HttpResponse<String> refused = api.send(api.request("/v1/tokens/github", service)
                    .header("X-Latchkey-User", stranger)
                    .build());
            assertThat(refused.statusCode()).as(stranger).isEqualTo(403);
            assertThat(refused.body()).contains("\"error\":\"unknown_user\"").doesNotContain(aliceToken);
        }
        assertThat(api.get("/v1/tokens/github", service).statusCode()).isEqualTo(400);
    }

    @Test
    void badInput_getsClearErrors_neverA500() throws Exception {
        String alice = userToken("acme", "alice");
        assertThat(api.get("/v1/tokens/unknown", alice).statusCode()).isEqualTo(404);
        assertThat(api.get("/v1/tokens/" + "x".repeat(200), alice).statusCode()).isEqualTo(404);
        assertThat(api.post("/v1/tokens/github/refresh", alice, "{\"rejected_token_sha256\":\"abc\"}")
                        .statusCode())
                .isEqualTo(400);
        assertThat(api.post("/v1/tokens/github/refresh", alice, "not json").statusCode())
                .isEqualTo(400);
        assertThat(api.post("/v1/tokens/github/refresh", alice, "{\"other\":1}").statusCode())
                .isEqualTo(400);
        assertThat(api.post(
                                "/v1/tokens/github/refresh",
                                alice,
                                "{\"rejected_token_sha256\":\"" + "a".repeat(5000) + "\"}")
                        .statusCode())
                .isEqualTo(400);
        assertThat(api.get("/v1/tokens/github", null).statusCode()).isEqualTo(401);
        assertThat(api.send(api.request("/v1/connections/github/authorize?scope=%22bad%22", alice)
                                .build())
                        .statusCode())
                .isEqualTo(400);
    }

    private URI authorizationUrl(String bearer) throws Exception {
        HttpResponse<String> started = api.send(api.request("/v1/connections/github/authorize", bearer)
                .header("Accept", "application/json")
                .build());
        assertThat(started.statusCode()).as(started.body()).isEqualTo(200);
        return URI.create(ApiCalls.find(AUTHORIZATION_URL, started.body()));
    }

    private static String withoutIss(String query) {
        List<String> kept = new ArrayList<>();
        for (String pair : query.split("&", -1)) {
            if (!pair.startsWith("iss=")) {
                kept.add(pair);
            }
        }
        return String.join("&", kept);
    }

    private static String rejected(String token) {
        return "{\"rejected_token_sha256\":\"" + Secret.sha256Hex(token) + "\"}";
    }

    private String userToken(String tenant, String subject) {
        return idp.issueToken(tenant, subject, "latchkey", Map.of("scope", "openid"))
                .serialize();
    }

    private static List<String> concurrently(int callers, Call call) throws Exception {
        ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<String>> futures = new ArrayList<>();
            for (int i = 0; i < callers; i++) {
                futures.add(pool.submit(() -> {
                    go.await();
                    HttpResponse<String> response = call.send();
                    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
                    return response.body();
                }));
            }
            go.countDown();
            List<String> bodies = new ArrayList<>();
            for (Future<String> future : futures) {
                bodies.add(future.get());
            }
            return bodies;
        } finally {
            pool.shutdownNow();
        }
    }

    private interface Call {
        HttpResponse<String> send() throws Exception;
    }
}
