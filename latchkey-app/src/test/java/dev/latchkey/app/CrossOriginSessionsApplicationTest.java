package dev.latchkey.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.latchkey.app.config.ConfigLoader;
import dev.latchkey.app.config.LatchkeyConfig;
import dev.latchkey.core.crypto.Keyset;
import dev.latchkey.core.identity.UserId;
import dev.latchkey.core.tenant.TenantId;
import dev.latchkey.testkit.MockIdp;
import dev.latchkey.testkit.MutableClock;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cross-origin sessions (C4) over real HTTP: a one-time code exchanged by the panel's origin, body
 * refresh with rotation, reuse detection revoking the family (with the grace window for the same
 * client), code reuse, tenant and origin binding, lifetimes, and the transport rules of C4-04/08/13.
 */
class CrossOriginSessionsApplicationTest {
    private static final String PANEL = "http://127.0.0.1:9999";
    private static final String OTHER_PANEL = "http://localhost:9998";
    private static final Pattern TOKEN = Pattern.compile("\"token\":\"([^\"]+)\"");
    private static final Pattern REFRESH_TOKEN = Pattern.compile("\"refreshToken\":\"([^\"]+)\"");
    private static final Pattern USER_ID = Pattern.compile("\"user\":\"([^\"]+)\"");

    @TempDir
    Path dir;

    private MockIdp idp;
    private Application app;
    private final MutableClock clock = new MutableClock(Instant.now());
    private final ApiCalls api = new ApiCalls(() -> app.port());

    @BeforeEach
    void start() throws Exception {
        idp = MockIdp.start();
        String yaml = """
                server: { host: 127.0.0.1, port: 0, publicUrl: "http://127.0.0.1:8080" }
                database: { url: "jdbc:h2:file:%1$s" }
                keys: { keyset: "file:./keyset.json" }
                development: { allowInsecureHttp: true }
                sessions: { refreshIdle: 1h, refreshAbsolute: 1d, reuseGrace: 10s }
                tenants:
                  acme:
                    issuers: [ { issuer: %2$s, audiences: [latchkey] } ]
                    identity: { provisioning: jit }
                    cors: { allowedOrigins: ["%3$s", "%4$s"] }
                  other:
                    issuers: [ { issuer: %5$s, audiences: [latchkey] } ]
                    identity: { provisioning: jit }
                    cors: { allowedOrigins: ["%3$s"] }
                """.formatted(
                        dir.resolve("latchkey").toString().replace('\\', '/'),
                        idp.issuer("acme"),
                        PANEL,
                        OTHER_PANEL,
                        idp.issuer("other"));
        LatchkeyConfig config =
                new ConfigLoader(name -> Optional.empty()).loadText(yaml).orElseThrow();
        app = Application.start(config, Keyset.generate(), clock);
    }

    @AfterEach
    void stop() {
        app.close();
        api.close();
        idp.close();
    }

    @Test
    void exchange_givesAWorkingToken_andEachRefreshRotates() throws Exception {
        String alice = user("acme", "alice");
        HttpResponse<String> exchanged = exchange(code("acme", alice, PANEL), PANEL, "acme");
        assertThat(exchanged.statusCode()).as(exchanged.body()).isEqualTo(200);
        assertThat(exchanged.headers().firstValue("Cache-Control")).hasValue("no-store");
        assertThat(exchanged.headers().firstValue("Access-Control-Allow-Origin"))
                .hasValue(PANEL);
        assertThat(exchanged.body()).contains("\"id\":\"" + alice + "\"", "\"tenant\":\"acme\"");
        long expiresAt = Long.parseLong(ApiCalls.find(Pattern.compile("\"expiresAt\":(\\d+)"), exchanged.body()));
        assertThat(expiresAt)
                .isBetween(
                        clock.millis() + Duration.ofMinutes(4).toMillis(),
                        clock.millis() + Duration.ofMinutes(6).toMillis());

        HttpResponse<String> me = api.get("/v1/me", ApiCalls.find(TOKEN, exchanged.body()));
        assertThat(me.statusCode()).isEqualTo(200);
        assertThat(ApiCalls.find(USER_ID, me.body())).isEqualTo(alice);
        assertThat(me.body()).contains("\"kind\":\"user\"");

        String first = ApiCalls.find(REFRESH_TOKEN, exchanged.body());
        HttpResponse<String> rotated = refresh("acme", first, PANEL, null);
        assertThat(rotated.statusCode()).as(rotated.body()).isEqualTo(200);
        String second = ApiCalls.find(REFRESH_TOKEN, rotated.body());
        assertThat(second).isNotEqualTo(first).startsWith("lkrt_");
        HttpResponse<String> again = refresh("acme", second, PANEL, null);
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(ApiCalls.find(REFRESH_TOKEN, again.body())).isNotIn(first, second);
        assertThat(auditReasons("session.exchange")).containsExactly("issued");
    }

    @Test
    void spentToken_fromTheSameClientWithinGrace_getsTheSameAnswer_fromAnotherClient_revokesTheFamily()
            throws Exception {
        String alice = user("acme", "alice");
        String first = ApiCalls.find(
                REFRESH_TOKEN,
                exchange(code("acme", alice, PANEL), PANEL, "acme").body());
        String second =
                ApiCalls.find(REFRESH_TOKEN, refresh("acme", first, PANEL, null).body());

        HttpResponse<String> retried = refresh("acme", first, PANEL, null);
        assertThat(retried.statusCode()).isEqualTo(200);
        assertThat(ApiCalls.find(REFRESH_TOKEN, retried.body())).isEqualTo(second);

        clock.advance(Duration.ofSeconds(11));
        HttpResponse<String> late = refresh("acme", first, PANEL, null);
        assertThat(late.statusCode()).isEqualTo(400);
        assertThat(late.body()).contains("\"error\":\"invalid_grant\"").doesNotContain(first);
        HttpResponse<String> descendant = refresh("acme", second, PANEL, null);
        assertThat(descendant.statusCode()).isEqualTo(400);
        assertThat(auditReasons("session.refresh")).contains("refresh_token_reuse", "family_revoked");
        assertThat(auditDetails()).noneMatch(details -> details.contains(first) || details.contains(second));
    }

    @Test
    void reuseByAnotherClient_revokesAtOnce_andRecallsTheFamilysAccessTokens() throws Exception {
        String alice = user("acme", "alice");
        String first = ApiCalls.find(
                REFRESH_TOKEN,
                exchange(code("acme", alice, PANEL), PANEL, "acme").body());
        HttpResponse<String> rotated = refresh("acme", first, PANEL, null);
        String accessToken = ApiCalls.find(TOKEN, rotated.body());

        // The same token from a server-side caller (no Origin) is another client: reuse.
        assertThat(refresh("acme", first, null, null).statusCode()).isEqualTo(400);
        assertThat(refresh("acme", ApiCalls.find(REFRESH_TOKEN, rotated.body()), PANEL, null)
                        .statusCode())
                .isEqualTo(400);
        HttpResponse<String> me = api.get("/v1/me", accessToken);
        assertThat(me.statusCode()).isEqualTo(401);
        assertThat(me.headers().firstValue("WWW-Authenticate"))
                .hasValueSatisfying(challenge -> assertThat(challenge).contains("invalid_token"));
    }

    @Test
    void concurrentRefreshes_ofOneToken_bySameClient_allGetTheOneSuccessor() throws Exception {
        String alice = user("acme", "alice");
        String first = ApiCalls.find(
                REFRESH_TOKEN,
                exchange(code("acme", alice, PANEL), PANEL, "acme").body());
        List<HttpResponse<String>> answers = concurrently(20, () -> refresh("acme", first, PANEL, null));
        assertThat(answers).allSatisfy(answer -> assertThat(answer.statusCode()).isEqualTo(200));
        assertThat(answers.stream()
                        .map(answer -> ApiCalls.find(REFRESH_TOKEN, answer.body()))
                        .distinct())
                .hasSize(1);
        assertThat(count("SELECT count(*) FROM refresh_tokens WHERE tenant = 'acme'"))
                .isEqualTo(2);
    }

    @Test
    void codeReuse_revokesWhatTheFirstExchangeIssued() throws Exception {
        String code = code("acme", user("acme", "alice"), PANEL);
        HttpResponse<String> first = exchange(code, PANEL, "acme");
        assertThat(first.statusCode()).isEqualTo(200);
        HttpResponse<String> second = exchange(code, PANEL, "acme");
        assertThat(second.statusCode()).isEqualTo(400);
        assertThat(second.body()).contains("\"error\":\"invalid_grant\"").doesNotContain("refreshToken\":");
        assertThat(refresh("acme", ApiCalls.find(REFRESH_TOKEN, first.body()), PANEL, null)
                        .statusCode())
                .isEqualTo(400);
        assertThat(auditReasons("session.exchange")).containsExactly("issued", "code_reuse");
    }

    @Test
    void code_isBoundToTenantOriginAndLifetime() throws Exception {
        String alice = user("acme", "alice");
        assertThat(exchange(code("acme", alice, PANEL), PANEL, "other").statusCode())
                .isEqualTo(400);
        assertThat(exchange(code("acme", alice, PANEL), OTHER_PANEL, "acme").statusCode())
                .isEqualTo(400);
        String expiring = code("acme", alice, PANEL);
        clock.advance(Duration.ofSeconds(61));
        assertThat(exchange(expiring, PANEL, "acme").statusCode()).isEqualTo(400);
        HttpResponse<String> evil = exchange(code("acme", alice, PANEL), "https://evil.test", "acme");
        assertThat(evil.statusCode()).isEqualTo(403);
        assertThat(evil.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
        assertThat(count("SELECT count(*) FROM refresh_families")).isZero();
        assertThat(auditReasons("session.exchange"))
                .containsExactly("tenant_mismatch", "origin_mismatch", "code_expired");
    }

    @Test
    void refreshTokens_andAccessTokens_neverWorkInAnotherTenant_orForAnotherUser() throws Exception {
        String alice = user("acme", "alice");
        user("other", "alice");
        HttpResponse<String> exchanged = exchange(code("acme", alice, PANEL), PANEL, "acme");
        String refreshToken = ApiCalls.find(REFRESH_TOKEN, exchanged.body());
        assertThat(refresh("other", refreshToken, PANEL, null).statusCode()).isEqualTo(400);
        assertThat(api.send(api.request("/v1/me", ApiCalls.find(TOKEN, exchanged.body()))
                                .header("X-Tenant-Id", "other")
                                .build())
                        .statusCode())
                .isEqualTo(401);
        // Naming another user refuses without revoking: the caller erred, not the family.
        assertThat(refresh("acme", refreshToken, PANEL, "someone-else").statusCode())
                .isEqualTo(400);
        assertThat(refresh("acme", refreshToken, PANEL, alice).statusCode()).isEqualTo(200);
    }

    @Test
    void idleAndAbsoluteLimits_endTheFamily_andAccessTokensExpire() throws Exception {
        String alice = user("acme", "alice");
        HttpResponse<String> exchanged = exchange(code("acme", alice, PANEL), PANEL, "acme");
        clock.advance(Duration.ofMinutes(6));
        assertThat(api.get("/v1/me", ApiCalls.find(TOKEN, exchanged.body())).statusCode())
                .isEqualTo(401);
        String token = ApiCalls.find(REFRESH_TOKEN, exchanged.body());
        Instant exchangedAt = clock.instant().minus(Duration.ofMinutes(6));
        for (int i = 0; i < 40; i++) {
            clock.advance(Duration.ofMinutes(50));
            HttpResponse<String> rotated = refresh("acme", token, PANEL, null);
            if (rotated.statusCode() != 200) {
                assertThat(clock.instant()).isAfter(exchangedAt.plus(Duration.ofDays(1)));
                assertThat(auditReasons("session.refresh")).contains("refresh_expired");
                return;
            }
            token = ApiCalls.find(REFRESH_TOKEN, rotated.body());
        }
        throw new AssertionError("the family outlived its absolute lifetime");
    }

    @Test
    void idleFamily_isRefused() throws Exception {
        String token = ApiCalls.find(
                REFRESH_TOKEN,
                exchange(code("acme", user("acme", "alice"), PANEL), PANEL, "acme")
                        .body());
        clock.advance(Duration.ofMinutes(61));
        assertThat(refresh("acme", token, PANEL, null).statusCode()).isEqualTo(400);
        assertThat(auditReasons("session.refresh")).containsExactly("refresh_idle");
    }

    @Test
    void transportRules_refuseWhatABrowserMustNotDo() throws Exception {
        String alice = user("acme", "alice");
        String token = ApiCalls.find(
                REFRESH_TOKEN,
                exchange(code("acme", alice, PANEL), PANEL, "acme").body());
        assertThat(api.get("/v1/sessions/refresh", null).statusCode()).isEqualTo(405);
        HttpResponse<String> plain = api.send(api.request("/v1/sessions/refresh", null)
                .header("X-Tenant-Id", "acme")
                .header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("{\"refreshToken\":\"" + token + "\"}"))
                .build());
        assertThat(plain.statusCode()).isEqualTo(415);
        HttpResponse<String> noOrigin = api.send(api.request("/v1/sessions/refresh", null)
                .header("X-Tenant-Id", "acme")
                .header("Content-Type", "application/json")
                .header("Sec-Fetch-Mode", "cors")
                .POST(HttpRequest.BodyPublishers.ofString("{\"refreshToken\":\"" + token + "\"}"))
                .build());
        assertThat(noOrigin.statusCode()).isEqualTo(403);
        HttpResponse<String> noTenant = api.post("/v1/sessions/refresh", null, "{\"refreshToken\":\"" + token + "\"}");
        assertThat(noTenant.statusCode()).isEqualTo(400);
        for (String body : List.of(
                "not json",
                "[1]",
                "{\"refreshToken\":12345}",
                "{\"refreshToken\":\"" + token.substring(0, 20) + "\"}",
                "{\"refreshToken\":\"" + "x".repeat(3000) + "\"}",
                "{\"refreshToken\":\"" + token + "\",\"extra\":1}",
                "{\"refreshToken\":\"" + "a".repeat(70_000) + "\"}")) {
            HttpResponse<String> bad = refreshWithBody("acme", body);
            assertThat(bad.statusCode())
                    .as(body.length() > 80 ? body.substring(0, 80) : body)
                    .isEqualTo(400);
        }
        // Still live after all that garbage: nothing above matched its family.
        HttpResponse<String> ok = refresh("acme", token, PANEL, null);
        assertThat(ok.statusCode()).isEqualTo(200);
        String next = ApiCalls.find(REFRESH_TOKEN, ok.body());

        HttpResponse<String> inQuery = api.send(api.request("/v1/sessions/refresh?refreshToken=" + next, null)
                .header("X-Tenant-Id", "acme")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}"))
                .build());
        assertThat(inQuery.statusCode()).isEqualTo(400);
        assertThat(refresh("acme", next, PANEL, null).statusCode()).isEqualTo(400);
        assertThat(auditReasons("session.refresh")).contains("token_leaked");
    }

    @Test
    void panelLogout_revokesTheFamily_whicheverOfItsTokensIsPresented() throws Exception {
        String first = ApiCalls.find(
                REFRESH_TOKEN,
                exchange(code("acme", user("acme", "alice"), PANEL), PANEL, "acme")
                        .body());
        String second =
                ApiCalls.find(REFRESH_TOKEN, refresh("acme", first, PANEL, null).body());
        HttpResponse<String> logout = api.send(api.request("/v1/sessions/logout", null)
                .header("Content-Type", "application/json")
                .header("X-Tenant-Id", "acme")
                .header("Origin", PANEL)
                .POST(HttpRequest.BodyPublishers.ofString("{\"refreshToken\":\"" + first + "\"}"))
                .build());
        assertThat(logout.statusCode()).isEqualTo(200);
        assertThat(logout.headers().firstValue("Access-Control-Allow-Origin")).hasValue(PANEL);
        assertThat(refresh("acme", second, PANEL, null).statusCode()).isEqualTo(400);
        assertThat(auditReasons("session.refresh")).containsExactly("logout", "family_revoked");
        HttpResponse<String> unknown = api.send(api.request("/v1/sessions/logout", null)
                .header("Content-Type", "application/json")
                .header("X-Tenant-Id", "acme")
                .POST(HttpRequest.BodyPublishers.ofString("{\"refreshToken\":\"lkrt_unknown\"}"))
                .build());
        assertThat(unknown.statusCode()).isEqualTo(200);
    }

    @Test
    void preflight_echoesOnlyAllowedOrigins() throws Exception {
        HttpResponse<String> allowed = preflight(PANEL);
        assertThat(allowed.statusCode()).isEqualTo(204);
        assertThat(allowed.headers().firstValue("Access-Control-Allow-Origin")).hasValue(PANEL);
        assertThat(allowed.headers().firstValue("Access-Control-Allow-Headers"))
                .hasValueSatisfying(headers -> assertThat(headers).contains("X-Tenant-Id"));
        for (String origin : List.of("https://evil.test", "null", "http://127.0.0.1:9999.evil.test")) {
            HttpResponse<String> refused = preflight(origin);
            assertThat(refused.statusCode()).as(origin).isEqualTo(403);
            assertThat(refused.headers().firstValue("Access-Control-Allow-Origin"))
                    .isEmpty();
        }
    }

    @Test
    void bearerApi_isCallableFromAllowedOrigins_withoutCredentials() throws Exception {
        String token = ApiCalls.find(
                TOKEN,
                exchange(code("acme", user("acme", "alice"), PANEL), PANEL, "acme")
                        .body());
        HttpResponse<String> preflight = api.send(api.request("/v1/me", null)
                .header("Origin", PANEL)
                .header("Access-Control-Request-Method", "GET")
                .header("Access-Control-Request-Headers", "authorization")
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .build());
        assertThat(preflight.statusCode()).isEqualTo(204);
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Headers"))
                .hasValueSatisfying(headers -> assertThat(headers).contains("Authorization"));
        HttpResponse<String> me =
                api.send(api.request("/v1/me", token).header("Origin", PANEL).build());
        assertThat(me.statusCode()).isEqualTo(200);
        assertThat(me.headers().firstValue("Access-Control-Allow-Origin")).hasValue(PANEL);
        assertThat(me.headers().firstValue("Access-Control-Allow-Credentials")).isEmpty();
        HttpResponse<String> evil = api.send(api.request("/v1/me", token)
                .header("Origin", "https://evil.test")
                .build());
        assertThat(evil.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
        HttpResponse<String> evilPreflight = api.send(api.request("/v1/me", null)
                .header("Origin", "https://evil.test")
                .header("Access-Control-Request-Method", "GET")
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .build());
        assertThat(evilPreflight.statusCode()).isEqualTo(403);
        assertThat(evilPreflight.headers().firstValue("Access-Control-Allow-Origin"))
                .isEmpty();
    }

    private HttpResponse<String> preflight(String origin) throws Exception {
        return api.send(api.request("/v1/sessions/refresh", null)
                .header("Origin", origin)
                .header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "content-type,x-tenant-id")
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .build());
    }

    private String user(String tenant, String subject) throws Exception {
        String bearer = idp.issueToken(tenant, subject, "latchkey", Map.of("scope", "openid"))
                .serialize();
        HttpResponse<String> me = api.get("/v1/me", bearer);
        assertThat(me.statusCode()).as(me.body()).isEqualTo(200);
        return ApiCalls.find(USER_ID, me.body());
    }

    private String code(String tenant, String user, String origin) {
        return app.sessions()
                .crossOrigin()
                .issueCode(TenantId.of(tenant), UserId.of(user), origin, null)
                .reveal();
    }

    private HttpResponse<String> exchange(String code, @Nullable String origin, @Nullable String tenant)
            throws Exception {
        HttpRequest.Builder request = api.request("/v1/sessions/exchange", null)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"code\":\"" + code + "\"}"));
        if (origin != null) {
            request.header("Origin", origin);
        }
        if (tenant != null) {
            request.header("X-Tenant-Id", tenant);
        }
        return api.send(request.build());
    }

    private HttpResponse<String> refresh(
            String tenant, String refreshToken, @Nullable String origin, @Nullable String userId) throws Exception {
        String body = userId == null
                ? "{\"refreshToken\":\"" + refreshToken + "\"}"
                : "{\"refreshToken\":\"" + refreshToken + "\",\"user_id\":\"" + userId + "\"}";
        HttpRequest.Builder request = api.request("/v1/sessions/refresh", null)
                .header("Content-Type", "application/json")
                .header("X-Tenant-Id", tenant)
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (origin != null) {
            request.header("Origin", origin);
        }
        return api.send(request.build());
    }

    private HttpResponse<String> refreshWithBody(String tenant, String body) throws Exception {
        return api.send(api.request("/v1/sessions/refresh", null)
                .header("Content-Type", "application/json")
                .header("X-Tenant-Id", tenant)
                .header("Origin", PANEL)
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build());
    }

    private List<String> auditReasons(String action) throws Exception {
        return StoredRows.auditReasons(app, action);
    }

    private List<String> auditDetails() throws Exception {
        return column("SELECT details FROM audit_events ORDER BY id");
    }

    private List<String> column(String sql) throws Exception {
        return StoredRows.column(app, sql);
    }

    private long count(String sql) throws Exception {
        return Long.parseLong(StoredRows.single(app, sql));
    }

    private interface Call {
        HttpResponse<String> run() throws Exception;
    }

    private static List<HttpResponse<String>> concurrently(int callers, Call call) throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<HttpResponse<String>>> futures = new ArrayList<>();
            for (int i = 0; i < callers; i++) {
                futures.add(pool.submit(() -> {
                    go.await();
                    return call.run();
                }));
            }
            go.countDown();
            List<HttpResponse<String>> answers = new ArrayList<>();
            for (Future<HttpResponse<String>> future : futures) {
                answers.add(future.get());
            }
            return answers;
        }
    }
}
