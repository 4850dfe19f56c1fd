package dev.latchkey.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.latchkey.app.config.ConfigLoader;
import dev.latchkey.app.config.LatchkeyConfig;
import dev.latchkey.core.crypto.Keyset;
import dev.latchkey.testkit.MockIdp;
import dev.latchkey.testkit.MutableClock;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Browser login (C3) over real HTTP against a real OpenID provider (mock-oauth2-server): the login
 * redirect with PKCE, state and nonce; the callback bound to the browser's pre-login cookie; an
 * opaque session cookie that authenticates GETs; a one-time code for a cross-origin panel; logout
 * (RP-initiated, with id_token_hint) and back-channel logout ending sessions and their families.
 */
class BrowserLoginApplicationTest {
    private static final String PANEL = "http://127.0.0.1:9999";
    private static final Pattern REFRESH_TOKEN = Pattern.compile("\"refreshToken\":\"([^\"]+)\"");

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
                tenants:
                  acme:
                    issuers: [ { issuer: %2$s, audiences: [latchkey] } ]
                    identity: { provisioning: jit }
                    login: { issuer: %2$s, clientId: latchkey, clientSecret: s3cret }
                    cors: { allowedOrigins: ["%3$s"] }
                  other:
                    issuers: [ { issuer: %4$s, audiences: [latchkey] } ]
                    identity: { provisioning: jit }
                    login: { issuer: %4$s, clientId: latchkey, clientSecret: s3cret }
                """.formatted(
                dir.resolve("latchkey").toString().replace('\\', '/'), idp.issuer("acme"), PANEL, idp.issuer("other"));
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
    void login_setsAnOpaqueSessionCookie_thatAuthenticatesGets_andLogoutEndsIt() throws Exception {
        Login login = startLogin("acme", null);
        URI authorize = login.authorizationUrl();
        assertThat(authorize.toString())
                .startsWith(idp.issuer("acme"))
                .contains("code_challenge_method=S256", "nonce=", "state=acme.", "scope=openid");
        assertThat(login.setCookie())
                .contains("HttpOnly", "SameSite=Lax", "Path=/")
                .doesNotContain("Domain");

        HttpResponse<String> callback = callback("acme", idpAnswer(authorize), login.cookie());
        assertThat(callback.statusCode()).as(callback.body()).isEqualTo(303);
        assertThat(callback.headers().firstValue("Location")).hasValue("http://127.0.0.1:8080/");
        String session = sessionCookie(callback);
        assertThat(session).startsWith("acme.").hasSizeLessThan(120);
        assertThat(callback.headers().allValues("Set-Cookie"))
                .anySatisfy(cookie ->
                        assertThat(cookie).startsWith("latchkey-session=").contains("HttpOnly"));

        HttpResponse<String> me = withCookie("/v1/me", session);
        assertThat(me.statusCode()).as(me.body()).isEqualTo(200);
        assertThat(me.body()).contains("\"tenant\":\"acme\"", "\"kind\":\"user\"");
        // The cookie never authenticates a state-changing request.
        HttpResponse<String> post = api.send(api.request("/v1/api-keys", null)
                .header("Cookie", "latchkey-session=" + session)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"scopes\":[]}"))
                .build());
        assertThat(post.statusCode()).isEqualTo(401);

        HttpResponse<String> logout = logout("acme", session, "http://127.0.0.1:8080");
        assertThat(logout.statusCode()).isEqualTo(303);
        URI endSession = URI.create(logout.headers().firstValue("Location").orElseThrow());
        assertThat(endSession.toString())
                .startsWith(idp.issuer("acme"))
                .contains("id_token_hint=", "post_logout_redirect_uri=");
        assertThat(withCookie("/v1/me", session).statusCode()).isEqualTo(401);
        assertThat(auditReasons("login.logout")).containsExactly("logged_out");
    }

    @Test
    void loginForAPanel_handsItAOneTimeCode_andLogoutRevokesWhatTheCodeStarted() throws Exception {
        Login login = startLogin("acme", PANEL + "/panel?tab=1");
        HttpResponse<String> callback = callback("acme", idpAnswer(login.authorizationUrl()), login.cookie());
        assertThat(callback.statusCode()).isEqualTo(303);
        URI landing = URI.create(callback.headers().firstValue("Location").orElseThrow());
        assertThat(landing.toString()).startsWith(PANEL + "/panel?tab=1&latchkey_code=acme.");
        String code = ApiCalls.parameter(landing.getRawQuery(), "latchkey_code");
        HttpResponse<String> exchanged = api.send(api.request("/v1/sessions/exchange", null)
                .header("Content-Type", "application/json")
                .header("Origin", PANEL)
                .POST(HttpRequest.BodyPublishers.ofString("{\"code\":\"" + code + "\"}"))
                .build());
        assertThat(exchanged.statusCode()).as(exchanged.body()).isEqualTo(200);

        assertThat(logout("acme", sessionCookie(callback), PANEL).statusCode()).isEqualTo(303);
        HttpResponse<String> refresh = api.send(api.request("/v1/sessions/refresh", null)
                .header("Content-Type", "application/json")
                .header("X-Tenant-Id", "acme")
                .header("Origin", PANEL)
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"refreshToken\":\"" + ApiCalls.find(REFRESH_TOKEN, exchanged.body()) + "\"}"))
                .build());
        assertThat(refresh.statusCode()).isEqualTo(400);
    }

    @Test
    void callback_refusesForgedReplayedUnboundAndForeignAnswers_beforeRedeeming() throws Exception {
        Login login = startLogin("acme", null);
        String answer = idpAnswer(login.authorizationUrl());
        // Another browser (no pre-login cookie, or someone else's) cannot finish this login (C3-02).
        assertThat(callback("acme", answer, null).statusCode()).isEqualTo(400);
        Login second = startLogin("acme", null);
        String secondAnswer = idpAnswer(second.authorizationUrl());
        assertThat(callback("acme", secondAnswer, login.cookie()).statusCode()).isEqualTo(400);
        // Replays of a used state.
        assertThat(callback("acme", secondAnswer, second.cookie()).statusCode()).isEqualTo(400);
        // A foreign iss (RFC 9207) and a state of another tenant.
        Login third = startLogin("acme", null);
        HttpResponse<String> foreign = callback(
                "acme", idpAnswer(third.authorizationUrl()) + "&iss=" + enc("https://idp-x.test"), third.cookie());
        assertThat(foreign.statusCode()).isEqualTo(400);
        Login fourth = startLogin("acme", null);
        assertThat(callback("other", idpAnswer(fourth.authorizationUrl()), fourth.cookie())
                        .statusCode())
                .isEqualTo(400);
        // An error answer is shown escaped, never as markup (C3-19).
        Login fifth = startLogin("acme", null);
        String state = ApiCalls.parameter(fifth.authorizationUrl().getRawQuery(), "state");
        HttpResponse<String> denied = callback(
                "acme",
                "state=" + state + "&error=access_denied&error_description=" + enc("<script>alert(1)</script>"),
                fifth.cookie());
        assertThat(denied.statusCode()).isEqualTo(400);
        assertThat(denied.body()).doesNotContain("<script>");
        assertThat(denied.headers().firstValue("Content-Security-Policy"))
                .hasValueSatisfying(csp -> assertThat(csp).contains("frame-ancestors 'none'"));

        assertThat(count("SELECT count(*) FROM browser_sessions")).isZero();
        assertThat(idp.tokenCalls("acme", request -> "authorization_code".equals(request.grantType())))
                .isZero();
        assertThat(auditReasons("login.callback"))
                .contains("binding_mismatch", "state_unknown", "issuer_mismatch", "authorization_denied");
    }

    @Test
    void returnTo_acceptsOnlyOwnAndPanelOrigins() throws Exception {
        for (String evil : List.of(
                "//evil.test",
                "/\\evil.test",
                "https://evil.test/",
                "https:evil.test",
                "http://127.0.0.1:9999.evil.test/",
                "http://127.0.0.1:9999@evil.test/",
                "javascript:alert(1)",
                "data:text/html,x",
                "/..;/admin",
                "%2F%2Fevil.test")) {
            HttpResponse<String> refused = api.get("/auth/acme/login?return_to=" + enc(evil), null);
            assertThat(refused.statusCode()).as(evil).isEqualTo(400);
            assertThat(refused.headers().firstValue("Location")).as(evil).isEmpty();
        }
        assertThat(startLogin("acme", "/v1/connections").authorizationUrl()).isNotNull();
    }

    @Test
    void logout_isPostOnly_fromTheApplicationsOwnOrigins() throws Exception {
        Login login = startLogin("acme", null);
        String session = sessionCookie(callback("acme", idpAnswer(login.authorizationUrl()), login.cookie()));
        assertThat(withCookie("/auth/acme/logout", session).statusCode()).isEqualTo(405);
        assertThat(logout("acme", session, "https://evil.test").statusCode()).isEqualTo(403);
        assertThat(logout("acme", session, null).statusCode()).isEqualTo(403);
        assertThat(withCookie("/v1/me", session).statusCode()).isEqualTo(200);
    }

    @Test
    void backChannelLogout_endsTheSubjectsSessions_andRefusesBadTokens() throws Exception {
        Login login = startLogin("acme", null);
        String session = sessionCookie(callback("acme", idpAnswer(login.authorizationUrl()), login.cookie()));
        HttpResponse<String> me = withCookie("/v1/me", session);
        assertThat(me.statusCode()).isEqualTo(200);
        String subject = text("SELECT idp_subject FROM browser_sessions");
        Map<String, Object> events = Map.of("http://schemas.openid.net/event/backchannel-logout", Map.of());
        String bad = idp.issueToken("acme", subject, "someone-else", Map.of("events", events))
                .serialize();
        assertThat(backChannel("acme", bad).statusCode()).isEqualTo(400);
        String noEvents = idp.issueToken("acme", subject, "latchkey", Map.of()).serialize();
        assertThat(backChannel("acme", noEvents).statusCode()).isEqualTo(400);
        String foreign = idp.issueToken("other", subject, "latchkey", Map.of("events", events))
                .serialize();
        assertThat(backChannel("acme", foreign).statusCode()).isEqualTo(400);
        assertThat(withCookie("/v1/me", session).statusCode()).isEqualTo(200);

        String good = idp.issueToken("acme", subject, "latchkey", Map.of("events", events))
                .serialize();
        HttpResponse<String> ended = backChannel("acme", good);
        assertThat(ended.statusCode()).isEqualTo(200);
        assertThat(ended.headers().firstValue("Cache-Control")).hasValue("no-store");
        assertThat(withCookie("/v1/me", session).statusCode()).isEqualTo(401);
        assertThat(auditReasons("login.backchannel_logout")).contains("logout_token_rejected", "logged_out");
    }

    @Test
    void idpTokens_ofASessionInUse_areRefreshedOnceBeforeTheyExpire() throws Exception {
        Login login = startLogin("acme", null);
        String session = sessionCookie(callback("acme", idpAnswer(login.authorizationUrl()), login.cookie()));
        long before = refreshGrants();
        clock.advance(Duration.ofMinutes(59).plusSeconds(30));
        for (int i = 0; i < 10; i++) {
            assertThat(withCookie("/v1/me", session).statusCode()).isEqualTo(200);
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (refreshGrants() == before && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(refreshGrants()).isEqualTo(before + 1);
        long settle = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!auditReasons("login.idp_refresh").contains("refreshed") && System.nanoTime() < settle) {
            Thread.sleep(50);
        }
        assertThat(auditReasons("login.idp_refresh")).containsExactly("refreshed");
        // Fresh again: later requests do not refresh.
        for (int i = 0; i < 5; i++) {
            assertThat(withCookie("/v1/me", session).statusCode()).isEqualTo(200);
        }
        assertThat(refreshGrants()).isEqualTo(before + 1);
    }

    private long refreshGrants() {
        return idp.tokenCalls("acme", request -> "refresh_token".equals(request.grantType()));
    }

    @Test
    void twoDevices_holdTwoSessions_andLoggingInAgainOnOneKeepsTheOther() throws Exception {
        Login phone = startLogin("acme", null);
        String phoneSession = sessionCookie(callback("acme", idpAnswer(phone.authorizationUrl()), phone.cookie()));
        Login laptop = startLogin("acme", null);
        String laptopSession = sessionCookie(callback("acme", idpAnswer(laptop.authorizationUrl()), laptop.cookie()));
        assertThat(laptopSession).isNotEqualTo(phoneSession);
        assertThat(withCookie("/v1/me", phoneSession).statusCode()).isEqualTo(200);
        assertThat(withCookie("/v1/me", laptopSession).statusCode()).isEqualTo(200);
        assertThat(withCookie("/v1/me", "acme.planted-by-an-attacker-000000000000000000000")
                        .statusCode())
                .isEqualTo(401);
    }

    @Test
    void loggingInAgainInOneBrowser_replacesItsSession() throws Exception {
        Login first = startLogin("acme", null);
        String old = sessionCookie(callback("acme", idpAnswer(first.authorizationUrl()), first.cookie()));
        Login again = startLogin("acme", null);
        HttpResponse<String> callback =
                api.send(api.request("/auth/acme/callback?" + idpAnswer(again.authorizationUrl()), null)
                        .header("Cookie", "latchkey-login=" + again.cookie() + "; latchkey-session=" + old)
                        .build());
        assertThat(callback.statusCode()).isEqualTo(303);
        String replacement = sessionCookie(callback);
        assertThat(replacement).isNotEqualTo(old);
        assertThat(withCookie("/v1/me", old).statusCode()).isEqualTo(401);
        assertThat(withCookie("/v1/me", replacement).statusCode()).isEqualTo(200);
    }

    private record Login(URI authorizationUrl, String cookie, String setCookie) {}

    private Login startLogin(String tenant, @Nullable String returnTo) throws Exception {
        String query = returnTo == null ? "" : "?return_to=" + enc(returnTo);
        HttpResponse<String> login = api.get("/auth/" + tenant + "/login" + query, null);
        assertThat(login.statusCode()).as(login.body()).isEqualTo(302);
        String setCookie = login.headers().allValues("Set-Cookie").stream()
                .filter(cookie -> cookie.startsWith("latchkey-login="))
                .findFirst()
                .orElseThrow();
        String value = setCookie.substring("latchkey-login=".length(), setCookie.indexOf(';'));
        return new Login(URI.create(login.headers().firstValue("Location").orElseThrow()), value, setCookie);
    }

    /** The provider's redirect back (mock-oauth2-server logs in at once): the callback's query. */
    private String idpAnswer(URI authorize) throws Exception {
        HttpResponse<String> answer = api.send(HttpRequest.newBuilder(authorize).build());
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(302);
        return URI.create(answer.headers().firstValue("Location").orElseThrow()).getRawQuery();
    }

    private HttpResponse<String> callback(String tenant, String query, @Nullable String loginCookie) throws Exception {
        HttpRequest.Builder request = api.request("/auth/" + tenant + "/callback?" + query, null);
        if (loginCookie != null) {
            request.header("Cookie", "latchkey-login=" + loginCookie);
        }
        return api.send(request.build());
    }

    private static String sessionCookie(HttpResponse<String> callback) {
        String cookie = callback.headers().allValues("Set-Cookie").stream()
                .filter(value -> value.startsWith("latchkey-session=") && !value.startsWith("latchkey-session=;"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no session cookie: " + callback.headers()));
        return cookie.substring("latchkey-session=".length(), cookie.indexOf(';'));
    }

    private HttpResponse<String> withCookie(String path, String session) throws Exception {
        return api.send(api.request(path, null)
                .header("Cookie", "latchkey-session=" + session)
                .build());
    }

    private HttpResponse<String> logout(String tenant, String session, @Nullable String origin) throws Exception {
        HttpRequest.Builder request = api.request("/auth/" + tenant + "/logout", null)
                .header("Cookie", "latchkey-session=" + session)
                .POST(HttpRequest.BodyPublishers.noBody());
        if (origin != null) {
            request.header("Origin", origin);
        }
        return api.send(request.build());
    }

    private HttpResponse<String> backChannel(String tenant, String logoutToken) throws Exception {
        return api.send(api.request("/auth/" + tenant + "/backchannel-logout", null)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("logout_token=" + enc(logoutToken)))
                .build());
    }

    private static String enc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private List<String> auditReasons(String action) throws Exception {
        return StoredRows.auditReasons(app, action);
    }

    private String text(String sql) throws Exception {
        return StoredRows.single(app, sql);
    }

    private long count(String sql) throws Exception {
        return Long.parseLong(StoredRows.single(app, sql));
    }
}
