package dev.latchkey.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.latchkey.app.config.ConfigLoader;
import dev.latchkey.app.config.LatchkeyConfig;
import dev.latchkey.client.ApiRequest;
import dev.latchkey.client.ApiResponse;
import dev.latchkey.client.AuthorizationRequiredException;
import dev.latchkey.client.LatchkeyClient;
import dev.latchkey.client.Session;
import dev.latchkey.client.SessionEndedException;
import dev.latchkey.client.SessionStore;
import dev.latchkey.core.crypto.Keyset;
import dev.latchkey.core.identity.UserId;
import dev.latchkey.core.tenant.TenantId;
import dev.latchkey.testkit.MockIdp;
import dev.latchkey.testkit.MutableClock;
import java.net.URI;
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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Java client SDK ({@code latchkey-client}) against the real Latchkey server over real HTTP:
 * code exchange, calls with bearer and tenant, proactive refresh with rotation, one rotation for
 * fifty concurrent callers, the end of a session whose family was revoked by a reuse from another
 * client, and the authorization URL of a downstream resource without a grant.
 *
 * <p>Server and SDK share one {@link MutableClock}. The SDK judges expiries against the server's
 * {@code Date} header, which Jetty takes from the wall clock, so every test first sets the shared
 * clock to the wall clock before a session is issued: from then on an advance of the clock moves
 * the server's and the SDK's view of expiry together. With a 10 s access token and a 5 s refresh
 * skew, advancing 8 s puts the SDK past {@code expiresAt - skew} (at most 6 s, the {@code Date}
 * header and {@code expiresAt} having whole seconds) while the old token has not expired on the
 * server (at 10 s): a refresh seen then was made before the call, not after a {@code 401}.
 */
class ClientSdkApplicationTest {
    private static final String PANEL = "http://127.0.0.1:9999";
    private static final Duration SKEW = Duration.ofSeconds(5);
    private static final Duration PAST_SKEW_BEFORE_EXPIRY = Duration.ofSeconds(8);
    private static final Pattern USER_ID = Pattern.compile("\"user\":\"([^\"]+)\"");
    private static final String ROTATIONS = "SELECT count(*) FROM refresh_tokens WHERE tenant = 'acme'";

    @TempDir
    Path dir;

    private MockIdp idp;
    private Application app;
    private final MutableClock clock = new MutableClock(Instant.now());
    private final ApiCalls api = new ApiCalls(() -> app.port());
    private final RecordingStore store = new RecordingStore();
    private final List<LatchkeyClient> clients = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        idp = MockIdp.start();
        String yaml = """
                server: { host: 127.0.0.1, port: 0, publicUrl: "http://127.0.0.1:8080" }
                database: { url: "jdbc:h2:file:%1$s" }
                keys: { keyset: "file:./keyset.json" }
                development: { allowInsecureHttp: true }
                sessions: { accessTokenLifetime: 10s, refreshIdle: 1h, refreshAbsolute: 1d, reuseGrace: 10s }
                tenants:
                  acme:
                    issuers: [ { issuer: %2$s, audiences: [latchkey] } ]
                    identity: { provisioning: jit }
                    cors: { allowedOrigins: ["%3$s"] }
                    resources:
                      github:
                        url: http://127.0.0.1:1/api
                        authorization: { discovery: oidc, issuer: %4$s, clientId: latchkey, clientSecret: s3cret, scopes: [openid] }
                  other:
                    issuers: [ { issuer: %5$s, audiences: [latchkey] } ]
                    identity: { provisioning: jit }
                    cors: { allowedOrigins: ["%3$s"] }
                """.formatted(
                        dir.resolve("latchkey").toString().replace('\\', '/'),
                        idp.issuer("acme"),
                        PANEL,
                        idp.issuer("github"),
                        idp.issuer("other"));
        LatchkeyConfig config =
                new ConfigLoader(name -> Optional.empty()).loadText(yaml).orElseThrow();
        app = Application.start(config, Keyset.generate(), clock);
    }

    @AfterEach
    void stop() {
        clients.forEach(LatchkeyClient::close);
        app.close();
        api.close();
        idp.close();
    }

    @Test
    void exchange_givesASavedSession_andSendCarriesBearerAndTenant() throws Exception {
        String alice = user("alice");
        LatchkeyClient latchkey = client("acme", store);

        Session session = latchkey.exchange(code(alice));
        assertThat(session.user().id()).isEqualTo(alice);
        assertThat(session.user().tenant()).isEqualTo("acme");
        assertThat(store.saved()).containsExactly(session);
        assertThat(latchkey.currentSession()).contains(session);
        assertThat(count(ROTATIONS)).isEqualTo(1);

        ApiResponse me = latchkey.send(ApiRequest.get("/v1/me"));
        assertThat(me.statusCode()).as(me.bodyText()).isEqualTo(200);
        assertThat(ApiCalls.find(USER_ID, me.bodyText())).isEqualTo(alice);
        assertThat(store.saved()).as("a fresh bearer is used as it is").hasSize(1);

        // The server reads the tenant from X-Tenant-Id: the same session sent by a client of
        // another tenant is refused, and so is its refresh token there, while the acme client's
        // call with the very same tokens succeeds.
        RecordingStore elsewhere = new RecordingStore();
        elsewhere.save(session);
        LatchkeyClient other = client("other", elsewhere);
        SessionEndedException refused =
                catchThrowableOfType(SessionEndedException.class, () -> other.send(ApiRequest.get("/v1/me")));
        assertThat(refused.reason()).isEqualTo(SessionEndedException.Reason.REFRESH_REFUSED);
        assertThat(elsewhere.load()).isEmpty();
        assertThat(latchkey.send(ApiRequest.get("/v1/me")).statusCode()).isEqualTo(200);
        assertThat(count(ROTATIONS)).as("nothing rotated").isEqualTo(1);
    }

    @Test
    void aStaleBearer_isRefreshedBeforeTheCall_andTheRotationIsSaved() throws Exception {
        String alice = user("alice");
        LatchkeyClient latchkey = client("acme", store);
        Session first = latchkey.exchange(code(alice));

        clock.advance(PAST_SKEW_BEFORE_EXPIRY);
        ApiResponse me = latchkey.send(ApiRequest.get("/v1/me"));
        assertThat(me.statusCode()).as(me.bodyText()).isEqualTo(200);
        assertThat(ApiCalls.find(USER_ID, me.bodyText())).isEqualTo(alice);

        assertThat(store.saved()).hasSize(2);
        Session second = store.saved().get(1);
        assertThat(second.refreshToken()).isNotEqualTo(first.refreshToken());
        assertThat(second.token()).isNotEqualTo(first.token());
        assertThat(latchkey.currentSession()).contains(second);
        assertThat(count(ROTATIONS)).isEqualTo(2);
        // The old bearer still works on the server: no 401 can have led to that refresh.
        assertThat(api.send(api.request("/v1/me", first.token().reveal())
                                .header("X-Tenant-Id", "acme")
                                .build())
                        .statusCode())
                .isEqualTo(200);
    }

    @Test
    void fiftyCallersWithAStaleBearer_causeOneRotation_andTheFamilyLives() throws Exception {
        String alice = user("alice");
        LatchkeyClient latchkey = client("acme", store);
        Session first = latchkey.exchange(code(alice));
        assertThat(count(ROTATIONS)).isEqualTo(1);

        clock.advance(PAST_SKEW_BEFORE_EXPIRY);
        List<ApiResponse> answers = concurrently(50, () -> latchkey.send(ApiRequest.get("/v1/me")));
        assertThat(answers).hasSize(50).allSatisfy(answer -> {
            assertThat(answer.statusCode()).as(answer.bodyText()).isEqualTo(200);
            assertThat(ApiCalls.find(USER_ID, answer.bodyText())).isEqualTo(alice);
        });
        assertThat(count(ROTATIONS)).isEqualTo(2);
        // A second refresh with the same token would have been answered from the grace window.
        assertThat(auditReasons("session.refresh")).doesNotContain("grace_retry", "refresh_token_reuse");
        assertThat(store.saved()).hasSize(2);
        assertThat(store.saved().get(1).refreshToken()).isNotEqualTo(first.refreshToken());

        // Far past every expiry: the next call must refresh again, and the family still allows it.
        clock.advance(Duration.ofMinutes(1));
        ApiResponse later = latchkey.send(ApiRequest.get("/v1/me"));
        assertThat(later.statusCode()).as(later.bodyText()).isEqualTo(200);
        assertThat(count(ROTATIONS)).isEqualTo(3);
        assertThat(store.saved()).hasSize(3);
        assertThat(auditReasons("session.refresh")).isEmpty();
    }

    @Test
    void aRotatedTokenReusedByAnotherClient_endsTheSdksSession_andClearsItsStore() throws Exception {
        String alice = user("alice");
        LatchkeyClient latchkey = client("acme", store);
        Session first = latchkey.exchange(code(alice));
        clock.advance(PAST_SKEW_BEFORE_EXPIRY);
        assertThat(latchkey.send(ApiRequest.get("/v1/me")).statusCode()).isEqualTo(200);
        assertThat(store.saved()).hasSize(2);

        // Someone else presents the spent token, well after the 10 s grace window of the rotation
        // and past the SDK's refresh point of the rotated bearer: the server would still accept
        // that bearer for its 5 s leeway and recalls a revoked family's bearers only within
        // SessionTokenAuthenticator.FAMILY_CHECK of wall time, so the SDK's next call refreshes
        // first and meets the revoked family there.
        clock.advance(Duration.ofSeconds(30));
        HttpResponse<String> stolen = api.send(api.request("/v1/sessions/refresh", null)
                .header("Content-Type", "application/json")
                .header("X-Tenant-Id", "acme")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"refreshToken\":\"" + first.refreshToken().reveal() + "\"}"))
                .build());
        assertThat(stolen.statusCode()).isEqualTo(400);
        assertThat(stolen.body()).contains("\"error\":\"invalid_grant\"");
        assertThat(auditReasons("session.refresh")).contains("refresh_token_reuse");

        SessionEndedException ended =
                catchThrowableOfType(SessionEndedException.class, () -> latchkey.send(ApiRequest.get("/v1/me")));
        assertThat(ended.reason()).isEqualTo(SessionEndedException.Reason.REFRESH_REFUSED);
        assertThat(store.clears()).isEqualTo(1);
        assertThat(store.load()).isEmpty();
        assertThat(latchkey.currentSession()).isEmpty();
        SessionEndedException none =
                catchThrowableOfType(SessionEndedException.class, () -> latchkey.send(ApiRequest.get("/v1/me")));
        assertThat(none.reason()).isEqualTo(SessionEndedException.Reason.NO_SESSION);
    }

    @Test
    void downstreamToken_withoutAGrant_carriesTheAuthorizationUrl() throws Exception {
        String alice = user("alice");
        LatchkeyClient latchkey = client("acme", store);
        Session session = latchkey.exchange(code(alice));

        AuthorizationRequiredException needed =
                catchThrowableOfType(AuthorizationRequiredException.class, () -> latchkey.downstreamToken("github"));
        assertThat(needed.reason()).isEqualTo("no_grant");
        URI authorize = needed.authorizationUrl().orElseThrow();
        assertThat(authorize.toString())
                .startsWith(idp.issuer("github"))
                .contains("client_id=latchkey", "code_challenge_method=S256");
        // The session is untouched: consent is about the resource, not about Latchkey's session.
        assertThat(latchkey.currentSession()).contains(session);
        assertThat(store.saved()).containsExactly(session);
        assertThat(store.clears()).isZero();
    }

    private LatchkeyClient client(String tenant, SessionStore sessionStore) {
        LatchkeyClient client = LatchkeyClient.builder()
                .baseUri("http://127.0.0.1:" + app.port())
                .tenant(tenant)
                .origin(PANEL)
                .sessionStore(sessionStore)
                .clock(clock)
                .refreshSkew(SKEW)
                .allowInsecureHttpForLoopback()
                .build();
        clients.add(client);
        return client;
    }

    /** A JIT-provisioned user of acme, by its first call with an IdP token. */
    private String user(String subject) throws Exception {
        String bearer = idp.issueToken("acme", subject, "latchkey", Map.of("scope", "openid"))
                .serialize();
        HttpResponse<String> me = api.get("/v1/me", bearer);
        assertThat(me.statusCode()).as(me.body()).isEqualTo(200);
        return ApiCalls.find(USER_ID, me.body());
    }

    /**
     * A one-time code for the panel, issued after the shared clock was set to the wall clock that
     * Jetty's {@code Date} header reads (see the class comment).
     */
    private String code(String user) {
        clock.set(Instant.now());
        return app.sessions()
                .crossOrigin()
                .issueCode(TenantId.of("acme"), UserId.of(user), PANEL, null)
                .reveal();
    }

    private List<String> auditReasons(String action) throws Exception {
        return StoredRows.auditReasons(app, action);
    }

    private long count(String sql) throws Exception {
        return Long.parseLong(StoredRows.single(app, sql));
    }

    private interface Call<T> {
        T run() throws Exception;
    }

    /** {@code callers} threads released at once; each answer awaited for at most 30 s. */
    private static <T> List<T> concurrently(int callers, Call<T> call) throws Exception {
        CountDownLatch ready = new CountDownLatch(callers);
        CountDownLatch go = new CountDownLatch(1);
        try (ExecutorService pool = Executors.newFixedThreadPool(callers)) {
            List<Future<T>> futures = new ArrayList<>();
            for (int i = 0; i < callers; i++) {
                futures.add(pool.submit(() -> {
                    ready.countDown();
                    go.await();
                    return call.run();
                }));
            }
            assertThat(ready.await(30, TimeUnit.SECONDS)).isTrue();
            go.countDown();
            List<T> answers = new ArrayList<>();
            for (Future<T> future : futures) {
                answers.add(future.get(30, TimeUnit.SECONDS));
            }
            return answers;
        }
    }

    /** A {@link SessionStore} that remembers every session saved and counts the clears. */
    private static final class RecordingStore implements SessionStore {
        private @Nullable Session session;
        private final List<Session> saved = new ArrayList<>();
        private final AtomicInteger clears = new AtomicInteger();

        @Override
        public synchronized Optional<Session> load() {
            return Optional.ofNullable(session);
        }

        @Override
        public synchronized void save(Session session) {
            this.session = session;
            saved.add(session);
        }

        @Override
        public synchronized void clear() {
            session = null;
            clears.incrementAndGet();
        }

        synchronized List<Session> saved() {
            return List.copyOf(saved);
        }

        int clears() {
            return clears.get();
        }
    }
}
