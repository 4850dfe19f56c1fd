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
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** {@code latchkey serve} as an operator runs it: a keyset from the CLI, a config file, HTTP. */
class ServeTest {
    private static final String DB_PASSWORD = "db-password-that-must-not-leak";
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path dir;

    private String config(int port, String issuer) {
        return """
                server: { host: 127.0.0.1, port: %d, publicUrl: "http://127.0.0.1:%d" }
                database: { url: "jdbc:h2:file:./data/latchkey", user: sa, password: "${DB_PASSWORD}" }
                keys: { keyset: "file:./data/keyset.json" }
                development: { allowInsecureHttp: true }
                tenants:
                  acme:
                    issuers:
                      - issuer: %s
                        audiences: [latchkey]
                """.formatted(port, port, issuer);
    }

    @Test
    void serve_configuredInstance_isReadyServesMetricsAndStopsGracefully() throws Exception {
        try (MockIdp idp = MockIdp.start()) {
            assertThat(LatchkeyProcess.run(dir, Map.of(), "keys", "generate", "--keyset", "data/keyset.json")
                            .exitCode())
                    .isZero();
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("data/keyset.json"))))
                    .isEqualTo("rw-------");
            int port = LatchkeyProcess.freePort();
            Files.writeString(dir.resolve("latchkey.yaml"), config(port, idp.issuer("acme")));
            URI base = URI.create("http://127.0.0.1:" + port);

            try (LatchkeyProcess latchkey = LatchkeyProcess.start(
                    dir, Map.of("DB_PASSWORD", DB_PASSWORD), "serve", "--config", "latchkey.yaml")) {
                latchkey.awaitStatus(base.resolve("/health/ready"), 200);

                JsonNode ready =
                        JSON.readTree(get(base.resolve("/health/ready")).body());
                assertThat(ready.path("checks").path("database").path("healthy").asBoolean())
                        .isTrue();
                assertThat(ready.path("checks").path("keys").path("healthy").asBoolean())
                        .isTrue();
                assertThat(get(base.resolve("/health/live")).body()).isEqualTo("{\"status\":\"up\"}");
                assertThat(get(base.resolve("/metrics")).body())
                        .contains("jvm_memory_used_bytes")
                        .contains("http_server_requests");
                HttpResponse<String> missing = get(base.resolve("/no/such/path"));
                assertThat(missing.statusCode()).isEqualTo(404);

                LatchkeyProcess.Result result = latchkey.terminate(Duration.ofSeconds(30));
                assertThat(result.exitCode()).as(result.output()).isIn(0, 143);
                assertThat(result.output()).contains("Latchkey ready").doesNotContain(DB_PASSWORD);
                assertThat(result.stdout().lines().filter(line -> !line.isBlank()))
                        .as("every log line is one JSON object")
                        .allSatisfy(line ->
                                assertThat(JSON.readTree(line).isObject()).isTrue());
            }
        }
    }

    @Test
    void serve_missingKeyset_refusesToStartNamingTheFile() throws Exception {
        int port = LatchkeyProcess.freePort();
        Files.writeString(dir.resolve("latchkey.yaml"), config(port, "http://127.0.0.1:9/acme"));

        LatchkeyProcess.Result result =
                LatchkeyProcess.run(dir, Map.of("DB_PASSWORD", DB_PASSWORD), "serve", "--config", "latchkey.yaml");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.stderr())
                .contains("keyset file ./data/keyset.json does not exist")
                .contains("latchkey keys generate")
                .doesNotContain("\tat ");
    }

    @Test
    void serve_corruptKeyset_refusesToStartWithoutStackTrace() throws Exception {
        Files.createDirectories(dir.resolve("data"));
        Files.writeString(dir.resolve("data/keyset.json"), "{\"primaryKeyId\": 1, \"key\": [ {\"garbage\": true} ]}");
        Files.writeString(dir.resolve("latchkey.yaml"), config(LatchkeyProcess.freePort(), "http://127.0.0.1:9/a"));

        LatchkeyProcess.Result result =
                LatchkeyProcess.run(dir, Map.of("DB_PASSWORD", DB_PASSWORD), "serve", "--config", "latchkey.yaml");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.stderr()).contains("not a Tink JSON keyset").doesNotContain("\tat ");
    }

    @Test
    void serve_databaseDown_refusesToStartNamingDatabaseWithoutPassword() throws Exception {
        assertThat(LatchkeyProcess.run(dir, Map.of(), "keys", "generate", "--keyset", "data/keyset.json")
                        .exitCode())
                .isZero();
        int closedPort = LatchkeyProcess.freePort();
        Files.writeString(
                dir.resolve("latchkey.yaml"),
                config(LatchkeyProcess.freePort(), "http://127.0.0.1:9/a")
                        .replace("jdbc:h2:file:./data/latchkey", "jdbc:postgresql://127.0.0.1:" + closedPort + "/x"));

        LatchkeyProcess.Result result =
                LatchkeyProcess.run(dir, Map.of("DB_PASSWORD", DB_PASSWORD), "serve", "--config", "latchkey.yaml");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.stderr())
                .contains("cannot start: database:")
                .contains("127.0.0.1:" + closedPort)
                .doesNotContain(DB_PASSWORD)
                .doesNotContain("\tat ");
    }

    private static HttpResponse<String> get(URI uri) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
    }
}
