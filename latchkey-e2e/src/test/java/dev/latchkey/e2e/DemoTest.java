package dev.latchkey.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.latchkey.testkit.LatchkeyProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

/** {@code latchkey demo}: the README's first command, from an empty directory. */
class DemoTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    @Test
    void demo_emptyDirectory_startsReadyWithWarningsAndWorkingIdp() throws Exception {
        int port = LatchkeyProcess.freePort();
        int idpPort = LatchkeyProcess.freePort();
        URI base = URI.create("http://127.0.0.1:" + port);

        try (LatchkeyProcess demo = LatchkeyProcess.start(
                dir, Map.of(), "demo", "--port", Integer.toString(port), "--idp-port", Integer.toString(idpPort))) {
            demo.awaitStatus(base.resolve("/health/ready"), 200);
            String issuer = "http://127.0.0.1:" + idpPort + "/demo";

            HttpResponse<String> discovery = HTTP.send(
                    HttpRequest.newBuilder(URI.create(issuer + "/.well-known/openid-configuration"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(discovery.statusCode()).isEqualTo(200);
            assertThat(JsonMapper.builder()
                            .build()
                            .readTree(discovery.body())
                            .path("issuer")
                            .asString())
                    .isEqualTo(issuer);
            HttpResponse<String> token = HTTP.send(
                    HttpRequest.newBuilder(URI.create(issuer + "/token"))
                            .header("Content-Type", "application/x-www-form-urlencoded")
                            .POST(HttpRequest.BodyPublishers.ofString(
                                    "grant_type=client_credentials&client_id=agent&client_secret=x&scope=latchkey"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(token.statusCode()).isEqualTo(200);
            String accessToken = JsonMapper.builder()
                    .build()
                    .readTree(token.body())
                    .path("access_token")
                    .asString();
            HttpResponse<String> verified = HTTP.send(
                    HttpRequest.newBuilder(base.resolve("/v1/auth/verify"))
                            .header("Authorization", "Bearer " + accessToken)
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(verified.statusCode()).as(verified.body()).isEqualTo(200);
            assertThat(verified.headers().firstValue("X-Latchkey-Tenant")).hasValue("demo");
            HttpResponse<String> downstream = HTTP.send(
                    HttpRequest.newBuilder(base.resolve("/v1/tokens/demo-api"))
                            .header("Authorization", "Bearer " + accessToken)
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(downstream.statusCode()).as(downstream.body()).isEqualTo(401);
            assertThat(downstream.body()).contains("\"error\":\"authorization_required\"", "/demo-api/authorize?");
            assertThat(Files.exists(dir.resolve("data/demo/keyset.json"))).isTrue();

            LatchkeyProcess.Result result = demo.terminate(Duration.ofSeconds(30));
            assertThat(result.stderr()).contains("WARNING: generated a DEVELOPMENT keyset");
            assertThat(result.stdout())
                    .contains("Latchkey DEMO is running")
                    .contains("DEVELOPMENT ONLY")
                    .contains("Try next:")
                    .contains(base + "/health/ready")
                    .contains(base + "/v1/auth/verify")
                    .contains(base + "/v1/tokens/demo-api");
        }
    }
}
