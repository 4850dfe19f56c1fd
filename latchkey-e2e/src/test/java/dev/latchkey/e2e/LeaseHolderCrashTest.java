package dev.latchkey.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.latchkey.testkit.MockIdp;
import dev.latchkey.testkit.PostgresDatabase;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} of the replica that holds a grant's lease in the middle of a refresh, against an
 * authorization server that rotates refresh tokens and refuses reuse (mock-oauth2-server behind a
 * gate at the token endpoint that holds requests and refuses a refresh token presented twice, as
 * Keycloak and Entra do). The crashed replica's request reaches the server, which rotates; the
 * answer is lost with the process. The other replica: answers {@code 503} with {@code Retry-After}
 * while the dead holder's lease lasts (never a 500), takes over after it expires, and — the rotated
 * token being lost — ends the grant with exactly one clean {@code 401 authorization_required},
 * after which every answer is the same stable {@code 401} with an {@code authorization_url}, never
 * a loop of failures; connecting again works. The row is never corrupted.
 */
class LeaseHolderCrashTest {
    @TempDir
    Path dir;

    private MockIdp idp;
    private Gate gate;
    private PostgresDatabase database;
    private Replicas replicas;

    @BeforeEach
    void start() throws Exception {
        idp = MockIdp.start();
        gate = Gate.start(idp.tokenEndpoint("github"));
        database = PostgresDatabase.create();
        replicas =
                Replicas.start(dir, 2, database, """
                refresh: { deadline: 2s, proactive: false }
                tenants:
                  acme:
                    issuers: [ { issuer: %s, audiences: [latchkey] } ]
                    identity: { provisioning: jit }
                    resources:
                      github:
                        url: http://127.0.0.1:1/api
                        authorization:
                          discovery: static
                          authorizationEndpoint: %s/authorize
                          tokenEndpoint: %s
                          clientId: latchkey
                          clientSecret: s3cret
                          scopes: [openid, offline_access]
                """.formatted(idp.issuer("acme"), idp.issuer("github"), gate.url()));
    }

    @AfterEach
    void stop() {
        if (replicas != null) {
            replicas.close();
        }
        if (gate != null) {
            gate.close();
        }
        if (database != null) {
            database.close();
        }
        if (idp != null) {
            idp.close();
        }
    }

    @Test
    void holderKilledMidRefresh_otherReplicaTakesOver_withOneCleanAuthorizationRequired() throws Exception {
        String alice = "Bearer "
                + idp.issueToken("acme", "alice", "latchkey", Map.of()).serialize();
        replicas.connect(alice, "github", 0, 0);
        String token = Replicas.find(
                Replicas.ACCESS_TOKEN,
                Replicas.send(replicas.token(1, "github", alice)).body());

        gate.hold();
        CompletableFuture<HttpResponse<String>> doomed = Replicas.client()
                .sendAsync(replicas.report(0, "github", alice, token), HttpResponse.BodyHandlers.ofString());
        assertThat(gate.awaitHeld(Duration.ofSeconds(20)))
                .as("replica 0 called the token endpoint")
                .isTrue();
        replicas.process(0).kill();
        assertThat(doomed.handle((response, failure) -> failure).get(10, TimeUnit.SECONDS))
                .as("the killed replica's caller lost its connection")
                .isNotNull();
        // The server now receives the dead replica's refresh, rotates, and the answer is lost.
        gate.release();
        assertThat(gate.awaitForwarded(Duration.ofSeconds(10))).isTrue();

        // While the dead holder's lease lasts: 503 with Retry-After, never a 500.
        HttpResponse<String> waiting = Replicas.send(replicas.report(1, "github", alice, token));
        assertThat(waiting.statusCode()).as(waiting.body()).isEqualTo(503);
        assertThat(waiting.headers().firstValue("Retry-After")).isPresent();

        // After the lease expires the survivor refreshes with the only refresh token it has, which
        // the server already rotated: one clean authorization_required, and the grant is ended.
        @Nullable HttpResponse<String> ended = null;
        for (int attempt = 0; attempt < 30; attempt++) {
            HttpResponse<String> answer = Replicas.send(replicas.report(1, "github", alice, token));
            assertThat(answer.statusCode()).as(answer.body()).isIn(401, 503);
            if (answer.statusCode() == 401) {
                ended = answer;
                break;
            }
            Thread.sleep(500);
        }
        assertThat(ended).as("the survivor took over within 15 s").isNotNull();
        assertThat(java.util.Objects.requireNonNull(ended).body())
                .contains("\"error\":\"authorization_required\"", "\"reason\":\"invalid_grant\"");
        assertThat(gate.reuseRefused()).isEqualTo(1);

        // Never a loop: every later call is the same stable answer with a way out.
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> again = Replicas.send(replicas.token(1, "github", alice));
            assertThat(again.statusCode()).isEqualTo(401);
            assertThat(again.body()).contains("\"reason\":\"no_grant\"", "\"authorization_url\"");
        }
        assertThat(gate.reuseRefused()).as("no further refresh attempts").isEqualTo(1);

        // The way out works: connecting again gives a working token.
        replicas.connect(alice, "github", 1, 1);
        assertThat(Replicas.send(replicas.token(1, "github", alice)).statusCode())
                .isEqualTo(200);
        assertThat(replicas.process(1).output()).doesNotContain(token);
    }

    /**
     * The token endpoint's edge: forwards to the real server, can hold requests until released,
     * and refuses a refresh token presented a second time with {@code invalid_grant} (reuse
     * detection, which mock-oauth2-server lacks) without forwarding it.
     */
    private static final class Gate implements AutoCloseable {
        private final HttpServer server;
        private final URI target;
        private final HttpClient client = HttpClient.newHttpClient();
        private final Set<String> redeemed = ConcurrentHashMap.newKeySet();
        private volatile CountDownLatch open = new CountDownLatch(0);
        private final CountDownLatch held = new CountDownLatch(1);
        private final CountDownLatch forwarded = new CountDownLatch(1);
        private volatile int reuseRefused;

        private Gate(HttpServer server, URI target) {
            this.server = server;
            this.target = target;
        }

        static Gate start(URI target) throws IOException {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            Gate gate = new Gate(server, target);
            server.createContext("/token", gate::handle);
            server.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
            server.start();
            return gate;
        }

        URI url() {
            return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/token");
        }

        void hold() {
            open = new CountDownLatch(1);
        }

        void release() {
            open.countDown();
        }

        boolean awaitHeld(Duration timeout) throws InterruptedException {
            return held.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }

        boolean awaitForwarded(Duration timeout) throws InterruptedException {
            return forwarded.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }

        int reuseRefused() {
            return reuseRefused;
        }

        private void handle(HttpExchange exchange) throws IOException {
            byte[] body = exchange.getRequestBody().readAllBytes();
            String form = new String(body, StandardCharsets.UTF_8);
            @Nullable String refreshToken = parameter(form, "refresh_token");
            CountDownLatch gateNow = open;
            if (gateNow.getCount() > 0) {
                held.countDown();
                try {
                    gateNow.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (refreshToken != null && !redeemed.add(refreshToken)) {
                synchronized (this) {
                    reuseRefused++;
                }
                answer(exchange, 400, "{\"error\":\"invalid_grant\",\"error_description\":\"refresh token reused\"}");
                return;
            }
            HttpRequest.Builder forward = HttpRequest.newBuilder(target)
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body));
            @Nullable String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            if (authorization != null) {
                forward.header("Authorization", authorization);
            }
            HttpResponse<String> response;
            try {
                response = client.send(forward.build(), HttpResponse.BodyHandlers.ofString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                answer(exchange, 503, "{\"error\":\"temporarily_unavailable\"}");
                return;
            }
            if (refreshToken != null) {
                forwarded.countDown();
            }
            answer(exchange, response.statusCode(), response.body());
        }

        private static void answer(HttpExchange exchange, int status, String json) {
            byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
            try (OutputStream out = exchange.getResponseBody()) {
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                exchange.getResponseHeaders().set("Cache-Control", "no-store");
                exchange.sendResponseHeaders(status, bytes.length);
                out.write(bytes);
            } catch (IOException gone) {
                // The caller died (it was killed): its answer is lost, as in a real crash.
            }
        }

        private static @Nullable String parameter(String form, String name) {
            for (String pair : form.split("&", -1)) {
                int eq = pair.indexOf('=');
                if (eq > 0
                        && URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8)
                                .equals(name)) {
                    return URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                }
            }
            return null;
        }

        @Override
        public void close() {
            release();
            server.stop(0);
            client.close();
        }
    }
}
