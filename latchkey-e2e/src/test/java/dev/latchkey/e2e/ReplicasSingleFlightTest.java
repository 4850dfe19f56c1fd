package dev.latchkey.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.latchkey.core.secret.Secret;
import dev.latchkey.testkit.LatchkeyProcess;
import dev.latchkey.testkit.MockIdp;
import dev.latchkey.testkit.PostgresDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three Latchkey processes (the built jar) sharing one PostgreSQL database are three replicas: a
 * user connects through one, finishes on another, and when a storm of "the downstream said 401"
 * reports for the same token hits all three at once, the authorization server sees exactly one
 * refresh, every caller gets the same new token, and the rotated refresh token is the one stored.
 */
class ReplicasSingleFlightTest {
    private static final int REPLICAS = 3;
    private static final int CALLERS = 30;
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Pattern ACCESS_TOKEN = Pattern.compile("\"access_token\":\"([^\"]+)\"");
    private static final Pattern AUTHORIZATION_URL = Pattern.compile("\"authorization_url\":\"([^\"]+)\"");

    @TempDir
    Path dir;

    private MockIdp idp;
    private PostgresDatabase database;
    private final List<LatchkeyProcess> replicas = new ArrayList<>();
    private final List<Integer> ports = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        idp = MockIdp.start();
        database = PostgresDatabase.create();
        LatchkeyProcess.Result keys = LatchkeyProcess.run(dir, Map.of(), "keys", "generate", "--keyset", "keyset.json");
        assertThat(keys.exitCode()).as(keys.output()).isZero();
        for (int i = 0; i < REPLICAS; i++) {
            ports.add(LatchkeyProcess.freePort());
        }
        Files.writeString(dir.resolve("latchkey.yaml"), """
                server: { host: 127.0.0.1, port: %d, publicUrl: "http://127.0.0.1:%d" }
                database: { url: "%s", user: %s }
                keys: { keyset: "file:%s" }
                development: { allowInsecureHttp: true }
                tenants:
                  acme:
                    issuers: [ { issuer: %s, audiences: [latchkey] } ]
                    identity: { provisioning: jit }
                    resources:
                      github:
                        url: http://127.0.0.1:1/api
                        authorization:
                          discovery: oidc
                          issuer: %s
                          clientId: latchkey
                          clientSecret: s3cret
                          scopes: [openid, offline_access]
                """.formatted(
                        ports.get(0),
                        ports.get(0),
                        database.jdbcUrl(),
                        database.user(),
                        dir.resolve("keyset.json").toAbsolutePath().toString().replace('\\', '/'),
                        idp.issuer("acme"),
                        idp.issuer("github")));
        // Each replica in a directory of its own, so each keeps its own output.
        for (int i = 0; i < REPLICAS; i++) {
            Path home = Files.createDirectories(dir.resolve("replica-" + i));
            replicas.add(LatchkeyProcess.start(
                    home,
                    Map.of("LATCHKEY_SERVER_PORT", Integer.toString(ports.get(i))),
                    "serve",
                    "--config",
                    dir.resolve("latchkey.yaml").toAbsolutePath().toString()));
        }
        for (int i = 0; i < REPLICAS; i++) {
            replicas.get(i).awaitStatus(uri(i, "/health/ready"), 200);
        }
    }

    @AfterEach
    void stop() {
        replicas.forEach(LatchkeyProcess::close);
        if (database != null) {
            database.close();
        }
        if (idp != null) {
            idp.close();
        }
    }

    @Test
    void rejectionStorm_acrossThreeReplicas_refreshesOncePerRound() throws Exception {
        String alice = "Bearer "
                + idp.issueToken("acme", "alice", "latchkey", Map.of()).serialize();
        // Connect through replica 0, finish the flow on replica 1: flows live in the database.
        HttpResponse<String> started = send(HttpRequest.newBuilder(uri(0, "/v1/connections/github/authorize"))
                .header("Authorization", alice)
                .header("Accept", "application/json")
                .build());
        assertThat(started.statusCode()).as(started.body()).isEqualTo(200);
        HttpResponse<String> login = send(HttpRequest.newBuilder(URI.create(find(AUTHORIZATION_URL, started.body())))
                .build());
        URI callback = URI.create(login.headers().firstValue("Location").orElseThrow());
        HttpResponse<String> finished =
                send(HttpRequest.newBuilder(uri(1, callback.getPath() + "?" + callback.getRawQuery()))
                        .build());
        assertThat(finished.statusCode()).as(finished.body()).isEqualTo(200);

        HttpResponse<String> first = send(HttpRequest.newBuilder(uri(2, "/v1/tokens/github"))
                .header("Authorization", alice)
                .build());
        assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
        String token = find(ACCESS_TOKEN, first.body());

        for (int round = 1; round <= 3; round++) {
            Set<String> answers = storm(alice, token);
            assertThat(answers)
                    .as("round %d: one new token for every caller", round)
                    .hasSize(1);
            assertThat(answers).doesNotContain(token);
            assertThat(idp.tokenCalls("github", request -> "refresh_token".equals(request.grantType())))
                    .as("round %d: refreshes at the authorization server so far", round)
                    .isEqualTo(round);
            token = answers.iterator().next();
        }
        // Every refresh token was redeemed at most once: rotation never lost the newest one.
        List<String> redeemed = idp.tokenRequests().stream()
                .filter(request -> "refresh_token".equals(request.grantType()))
                .map(request -> request.parameters().get("refresh_token"))
                .toList();
        assertThat(new HashSet<>(redeemed)).hasSameSizeAs(redeemed);
        for (LatchkeyProcess replica : replicas) {
            assertThat(replica.output()).doesNotContain(token);
        }
    }

    /** {@value #CALLERS} reports of {@code token} as rejected, spread over the replicas, released at once. */
    private Set<String> storm(String bearer, String token) throws Exception {
        String body = "{\"rejected_token_sha256\":\"" + Secret.sha256Hex(token) + "\"}";
        CountDownLatch go = new CountDownLatch(1);
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<HttpResponse<String>>> calls = new ArrayList<>();
            for (int i = 0; i < CALLERS; i++) {
                int replica = i % REPLICAS;
                calls.add(pool.submit(() -> {
                    go.await();
                    return send(HttpRequest.newBuilder(uri(replica, "/v1/tokens/github/refresh"))
                            .header("Authorization", bearer)
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(body))
                            .build());
                }));
            }
            go.countDown();
            Set<String> tokens = new HashSet<>();
            for (Future<HttpResponse<String>> call : calls) {
                HttpResponse<String> response = call.get();
                assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
                tokens.add(find(ACCESS_TOKEN, response.body()));
            }
            return tokens;
        }
    }

    private static HttpResponse<String> send(HttpRequest request) throws Exception {
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(int replica, String path) {
        return URI.create("http://127.0.0.1:" + ports.get(replica) + path);
    }

    private static String find(Pattern pattern, String body) {
        Matcher matcher = pattern.matcher(body);
        assertThat(matcher.find()).as(body).isTrue();
        return matcher.group(1).replace("\\u0026", "&").replace("\\/", "/");
    }
}
