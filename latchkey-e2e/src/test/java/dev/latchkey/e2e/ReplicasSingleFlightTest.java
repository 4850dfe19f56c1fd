package dev.latchkey.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.latchkey.testkit.LatchkeyProcess;
import dev.latchkey.testkit.MockIdp;
import dev.latchkey.testkit.PostgresDatabase;
import java.net.http.HttpResponse;
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

    @TempDir
    Path dir;

    private MockIdp idp;
    private PostgresDatabase database;
    private Replicas replicas;

    @BeforeEach
    void start() throws Exception {
        idp = MockIdp.start();
        database = PostgresDatabase.create();
        replicas = Replicas.start(dir, REPLICAS, database, """
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
                """.formatted(idp.issuer("acme"), idp.issuer("github")));
    }

    @AfterEach
    void stop() {
        if (replicas != null) {
            replicas.close();
        }
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
        replicas.connect(alice, "github", 0, 1);

        HttpResponse<String> first = Replicas.send(replicas.token(2, "github", alice));
        assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
        String token = Replicas.find(Replicas.ACCESS_TOKEN, first.body());

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
        for (LatchkeyProcess replica : replicas.processes()) {
            assertThat(replica.output()).doesNotContain(token);
        }
    }

    /** {@value #CALLERS} reports of {@code token} as rejected, spread over the replicas, released at once. */
    private Set<String> storm(String bearer, String token) throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<HttpResponse<String>>> calls = new ArrayList<>();
            for (int i = 0; i < CALLERS; i++) {
                int replica = i % REPLICAS;
                calls.add(pool.submit(() -> {
                    go.await();
                    return Replicas.send(replicas.report(replica, "github", bearer, token));
                }));
            }
            go.countDown();
            Set<String> tokens = new HashSet<>();
            for (Future<HttpResponse<String>> call : calls) {
                HttpResponse<String> response = call.get();
                assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
                tokens.add(Replicas.find(Replicas.ACCESS_TOKEN, response.body()));
            }
            return tokens;
        }
    }
}
