package dev.latchkey.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.latchkey.testkit.LatchkeyProcess;
import dev.latchkey.testkit.MockIdp;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * API keys through the built jar: a user creates one with a bearer token from the IdP, uses it on
 * {@code /v1/auth/verify}, and it keeps working across restarts, {@code keys rotate} + {@code keys
 * reseal} and disabling the old key (the pepper is sealed in the database); after {@code DELETE}
 * it is refused. A tenant with API keys off refuses creation. The key is never in any output.
 */
class ApiKeyLifecycleTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Pattern KEY = Pattern.compile("\"key\":\"(lk_[0-9A-Za-z_]+)\"");
    private static final Pattern ID = Pattern.compile("\"id\":\"([0-9A-Za-z]{16})\"");

    @TempDir
    Path dir;

    private MockIdp idp;
    private int port;
    private LatchkeyProcess latchkey;
    private final List<String> outputs = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        idp = MockIdp.start();
        assertThat(run("keys", "generate", "--keyset", "keyset.json").exitCode())
                .isZero();
        port = LatchkeyProcess.freePort();
        Files.writeString(
                dir.resolve("latchkey.yaml"), """
                server: { host: 127.0.0.1, port: %d, publicUrl: "http://127.0.0.1:%d" }
                database: { url: "jdbc:h2:file:./data/latchkey" }
                keys: { keyset: "file:./keyset.json" }
                development: { allowInsecureHttp: true }
                tenants:
                  acme:
                    issuers:
                      - issuer: %s
                        audiences: [latchkey]
                    identity: { provisioning: jit }
                    apiKeys: { enabled: true }
                  globex:
                    issuers:
                      - issuer: %s
                        audiences: [latchkey]
                    identity: { provisioning: jit }
                    apiKeys: { enabled: false }
                """.formatted(port, port, idp.issuer("acme"), idp.issuer("globex")));
        serve();
    }

    @AfterEach
    void stop() {
        if (latchkey != null) {
            latchkey.close();
        }
        if (idp != null) {
            idp.close();
        }
    }

    private LatchkeyProcess.Result run(String... args) {
        LatchkeyProcess.Result result = LatchkeyProcess.run(dir, Map.of(), args);
        outputs.add(result.output());
        return result;
    }

    private void serve() {
        latchkey = LatchkeyProcess.start(dir, Map.of(), "serve", "--config", "latchkey.yaml");
        latchkey.awaitStatus(uri("/health/ready"), 200);
    }

    private void restart() {
        outputs.add(latchkey.terminate(Duration.ofSeconds(30)).output());
        serve();
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    private String bearer(String tenant) {
        return "Bearer "
                + idp.issueToken(tenant, "alice", "latchkey", Map.of("scope", "openid tokens:read"))
                        .serialize();
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> create(String tenant) throws Exception {
        return send(HttpRequest.newBuilder(uri("/v1/api-keys"))
                .header("Authorization", bearer(tenant))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"scopes\":[\"tokens:read\"]}")));
    }

    private HttpResponse<String> verify(String key) throws Exception {
        return send(HttpRequest.newBuilder(uri("/v1/auth/verify"))
                .header("X-Api-Key", key)
                .header("X-Tenant-Id", "acme"));
    }

    private static String group(Pattern pattern, String body) {
        Matcher matcher = pattern.matcher(body);
        assertThat(matcher.find()).as(body).isTrue();
        return matcher.group(1);
    }

    @Test
    void apiKey_createVerifyRestartRotateResealRevoke() throws Exception {
        HttpResponse<String> me = send(HttpRequest.newBuilder(uri("/v1/me")).header("Authorization", bearer("acme")));
        assertThat(me.statusCode()).as(latchkey.output()).isEqualTo(200);
        String user = me.body().replaceAll(".*\"user\":\"([^\"]+)\".*", "$1");

        HttpResponse<String> created = create("acme");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String key = group(KEY, created.body());
        String id = group(ID, created.body());

        HttpResponse<String> verified = verify(key);
        assertThat(verified.statusCode()).as(verified.body()).isEqualTo(200);
        assertThat(verified.headers().firstValue("X-Latchkey-Tenant")).hasValue("acme");
        assertThat(verified.headers().firstValue("X-Latchkey-User")).hasValue(user);
        assertThat(verified.headers().firstValue("X-Latchkey-Scopes")).hasValue("tokens:read");
        assertThat(verified.body()).contains("\"kind\":\"api_key\"");

        restart();
        assertThat(verify(key).statusCode()).as("after restart").isEqualTo(200);

        outputs.add(latchkey.terminate(Duration.ofSeconds(30)).output());
        String oldKeyId = run("keys", "list", "--keyset", "keyset.json")
                .stdout()
                .lines()
                .skip(1)
                .findFirst()
                .orElseThrow()
                .trim()
                .split("\\s+", -1)[0];
        assertThat(run("keys", "rotate", "--keyset", "keyset.json").exitCode()).isZero();
        LatchkeyProcess.Result reseal = run("keys", "reseal", "--config", "latchkey.yaml");
        assertThat(reseal.exitCode()).as(reseal.output()).isZero();
        // The API-key pepper and the token signing key.
        assertThat(reseal.stdout()).contains("2 deployment secret(s)");
        assertThat(run("keys", "disable", oldKeyId, "--keyset", "keyset.json").exitCode())
                .isZero();
        serve();
        assertThat(verify(key).statusCode()).as("after rotate, reseal, disable").isEqualTo(200);

        HttpResponse<String> deleted = send(HttpRequest.newBuilder(uri("/v1/api-keys/" + id))
                .header("Authorization", bearer("acme"))
                .DELETE());
        assertThat(deleted.statusCode()).isEqualTo(204);
        HttpResponse<String> refused = verify(key);
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(refused.headers().firstValue("WWW-Authenticate").orElseThrow())
                .contains("error=\"invalid_token\"");

        outputs.add(latchkey.terminate(Duration.ofSeconds(30)).output());
        assertThat(String.join("\n", outputs))
                .doesNotContain(key)
                .doesNotContain(key.substring(key.lastIndexOf('_') + 1));
    }

    @Test
    void create_tenantWithApiKeysOff_403ApiKeysDisabled() throws Exception {
        HttpResponse<String> response = create("globex");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(403);
        assertThat(response.body()).contains("\"error\":\"api_keys_disabled\"");
    }
}
