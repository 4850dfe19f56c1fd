package dev.latchkey.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.latchkey.app.config.ConfigLoader;
import dev.latchkey.app.config.LatchkeyConfig;
import dev.latchkey.core.crypto.Keyset;
import dev.latchkey.testkit.MockIdp;
import dev.latchkey.testkit.MutableClock;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * C2-10 against the wired application (real API keys over H2, real issuer, real HTTP): one client
 * guessing keys is answered 429 with {@code Retry-After} after the tenant's threshold, while
 * another client, bearer tokens and, once the window is over, the guessing client itself still
 * get in. The second client connects from another loopback address, so the server really sees two
 * socket peers.
 */
class ApiKeyBruteForceApplicationTest {
    private static final Pattern KEY = Pattern.compile("\"key\":\"(lk_[0-9A-Za-z_]+)\"");
    private static final String BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private static final int THRESHOLD = 20;
    private static final int GUESSES = 50;

    @TempDir
    Path dir;

    private MockIdp idp;
    private HttpClient attacker;
    private HttpClient neighbour;
    private final MutableClock clock = new MutableClock(Instant.now());
    private final SecureRandom random = new SecureRandom();

    @BeforeEach
    void start() throws Exception {
        idp = MockIdp.start();
        attacker = HttpClient.newHttpClient();
        neighbour = HttpClient.newBuilder()
                .localAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 2}))
                .build();
    }

    @AfterEach
    void stop() {
        attacker.close();
        neighbour.close();
        idp.close();
    }

    private LatchkeyConfig config() {
        String yaml =
                """
                server: { host: 127.0.0.1, port: 0, publicUrl: "http://127.0.0.1:8080" }
                database: { url: "jdbc:h2:file:%s" }
                keys: { keyset: "file:./keyset.json" }
                development: { allowInsecureHttp: true }
                tenants:
                  acme:
                    issuers:
                      - issuer: %s
                        audiences: [latchkey]
                    identity: { provisioning: jit }
                    apiKeys: { enabled: true, maxFailuresPerMinute: %d }
                """.formatted(dir.resolve("latchkey").toString().replace('\\', '/'), idp.issuer("acme"), THRESHOLD);
        return new ConfigLoader(name -> Optional.empty()).loadText(yaml).orElseThrow();
    }

    private static HttpResponse<String> send(HttpClient client, HttpRequest request) throws Exception {
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static URI uri(Application app, String path) {
        return URI.create("http://127.0.0.1:" + app.port() + path);
    }

    private String bearer() {
        return "Bearer "
                + idp.issueToken("acme", "alice", "latchkey", Map.of("scope", "openid tokens:read"))
                        .serialize();
    }

    private String createKey(Application app) throws Exception {
        HttpResponse<String> created = send(
                attacker,
                HttpRequest.newBuilder(uri(app, "/v1/api-keys"))
                        .header("Authorization", bearer())
                        .POST(HttpRequest.BodyPublishers.ofString("{\"scopes\":[\"tokens:read\"]}"))
                        .build());
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        Matcher key = KEY.matcher(created.body());
        assertThat(key.find()).isTrue();
        return key.group(1);
    }

    private static HttpResponse<String> verify(HttpClient client, Application app, String key) throws Exception {
        return send(
                client,
                HttpRequest.newBuilder(uri(app, "/v1/auth/verify"))
                        .header("X-Api-Key", key)
                        .header("X-Tenant-Id", "acme")
                        .build());
    }

    private String randomKey() {
        StringBuilder key = new StringBuilder("lk_");
        for (int i = 0; i < 16 + 1 + 43; i++) {
            key.append(i == 16 ? '_' : BASE62.charAt(random.nextInt(BASE62.length())));
        }
        return key.toString();
    }

    private static long auditEvents(Application app, String action) throws Exception {
        try (Connection connection = app.storage().database().dataSource().getConnection();
                PreparedStatement count =
                        connection.prepareStatement("SELECT count(*) FROM audit_events WHERE action = ?")) {
            count.setString(1, action);
            try (ResultSet row = count.executeQuery()) {
                row.next();
                return row.getLong(1);
            }
        }
    }

    @Test
    void guessingClient_429AfterThreshold_othersUnaffected_windowExpiryRestoresAccess() throws Exception {
        try (Application app = Application.start(config(), Keyset.generate(), clock)) {
            String key = createKey(app);
            List<HttpResponse<String>> answers = new ArrayList<>();
            for (int i = 0; i < GUESSES; i++) {
                answers.add(verify(attacker, app, randomKey()));
                clock.advance(Duration.ofMillis(500));
            }

            assertThat(answers.subList(0, THRESHOLD)).allSatisfy(answer -> {
                assertThat(answer.statusCode()).isEqualTo(401);
                assertThat(answer.body()).contains("invalid_token");
            });
            assertThat(answers.subList(THRESHOLD, GUESSES)).allSatisfy(answer -> {
                assertThat(answer.statusCode()).isEqualTo(429);
                assertThat(answer.body()).isEqualTo("{\"error\":\"too_many_requests\"}");
                assertThat(Long.parseLong(
                                answer.headers().firstValue("Retry-After").orElseThrow()))
                        .isBetween(1L, 60L);
            });
            // The window opened at the first failure, 25 s of clock ago.
            assertThat(answers.getLast().headers().firstValue("Retry-After")).hasValue("36");

            HttpResponse<String> blockedWithTheRightKey = verify(attacker, app, key);
            assertThat(blockedWithTheRightKey.statusCode()).isEqualTo(429);
            assertThat(verify(neighbour, app, key).statusCode()).isEqualTo(200);
            HttpResponse<String> bearerFromAttacker = send(
                    attacker,
                    HttpRequest.newBuilder(uri(app, "/v1/me"))
                            .header("Authorization", bearer())
                            .build());
            assertThat(bearerFromAttacker.statusCode()).isEqualTo(200);

            HttpResponse<String> metrics =
                    send(attacker, HttpRequest.newBuilder(uri(app, "/metrics")).build());
            assertThat(metrics.body())
                    .contains("latchkey_api_keys_bruteforce_total{tenant=\"acme\"} " + (GUESSES - THRESHOLD + 1) + ".0")
                    .doesNotContain("lk_");
            assertThat(auditEvents(app, "api_key_bruteforce")).isEqualTo(1);

            clock.advance(Duration.ofSeconds(36));
            assertThat(verify(attacker, app, key).statusCode()).isEqualTo(200);
        }
    }
}
