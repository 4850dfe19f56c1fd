package dev.latchkey.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.latchkey.testkit.LatchkeyProcess;
import dev.latchkey.testkit.MockIdp;
import dev.latchkey.testkit.Nginx;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real nginx in front of a small upstream, asking the built Latchkey through {@code auth_request}
 * (the shape of docs/examples/nginx-forward-auth.conf): valid tokens pass with identity headers,
 * everything else is refused with Latchkey's challenge and never reaches the upstream.
 */
class NginxForwardAuthTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    private MockIdp idp;
    private HttpServer upstream;
    private final Map<String, String> upstreamSaw = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    private int upstreamCalls;
    private LatchkeyProcess latchkey;
    private Nginx nginx;
    private int latchkeyPort;

    @BeforeEach
    void start() throws Exception {
        idp = MockIdp.start();
        upstream = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        upstream.createContext("/", exchange -> {
            synchronized (this) {
                upstreamCalls++;
                upstreamSaw.clear();
                exchange.getRequestHeaders().forEach((name, values) -> upstreamSaw.put(name, values.getFirst()));
            }
            byte[] body = "hello from upstream".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        upstream.start();

        assertThat(LatchkeyProcess.run(dir, Map.of(), "keys", "generate", "--keyset", "keyset.json")
                        .exitCode())
                .isZero();
        int port = LatchkeyProcess.freePort();
        latchkeyPort = port;
        Files.writeString(dir.resolve("latchkey.yaml"), """
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
                """.formatted(port, port, idp.issuer("acme")));
        latchkey = LatchkeyProcess.start(dir, Map.of(), "serve", "--config", "latchkey.yaml");
        latchkey.awaitStatus(URI.create("http://127.0.0.1:" + port + "/health/ready"), 200);

        Path example = Path.of("../docs/examples/nginx-forward-auth.conf");
        String server = Files.readString(example)
                .replace("server 127.0.0.1:8080;", "server 127.0.0.1:" + port + ";")
                .replace(
                        "server 127.0.0.1:9000;",
                        "server 127.0.0.1:" + upstream.getAddress().getPort() + ";")
                .replace("listen 443 ssl;", "listen 127.0.0.1:PORT;");
        nginx = Nginx.start(dir.resolve("nginx"), server);
    }

    @AfterEach
    void stop() {
        if (nginx != null) {
            nginx.close();
        }
        if (latchkey != null) {
            latchkey.close();
        }
        if (upstream != null) {
            upstream.stop(0);
        }
        if (idp != null) {
            idp.close();
        }
    }

    private HttpResponse<String> get(String... headers) throws Exception {
        HttpRequest.Builder request =
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + nginx.port() + "/app/page"));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void validToken_reachesUpstreamWithIdentityHeaders_spoofedHeadersReplaced() throws Exception {
        String token = idp.issueToken("acme", "alice", "latchkey", Map.of("scope", "openid tokens:read"))
                .serialize();

        HttpResponse<String> response =
                get("Authorization", "Bearer " + token, "X-Latchkey-User", "mallory", "X-Latchkey-Tenant", "evil");

        assertThat(response.statusCode())
                .as(nginx.errorLog() + latchkey.output())
                .isEqualTo(200);
        assertThat(response.body()).isEqualTo("hello from upstream");
        synchronized (this) {
            assertThat(upstreamSaw.get("X-Latchkey-Tenant")).isEqualTo("acme");
            assertThat(upstreamSaw.get("X-Latchkey-User")).isNotBlank().isNotEqualTo("mallory");
            assertThat(upstreamSaw.get("X-Latchkey-Scopes")).contains("tokens:read");
        }
    }

    @Test
    void noOrBadToken_refusedWithChallenge_upstreamNeverCalled() throws Exception {
        String foreign;
        try (MockIdp other = MockIdp.start()) {
            foreign = other.issueToken("acme", "alice", "latchkey", Map.of()).serialize();
        }

        HttpResponse<String> none = get();
        HttpResponse<String> garbage = get("Authorization", "Bearer not.a.jwt");
        HttpResponse<String> wrongKey = get("Authorization", "Bearer " + foreign);

        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"latchkey\"");
        for (HttpResponse<String> refused : java.util.List.of(garbage, wrongKey)) {
            assertThat(refused.statusCode()).isEqualTo(401);
            assertThat(refused.headers().firstValue("WWW-Authenticate").orElseThrow())
                    .contains("error=\"invalid_token\"");
        }
        synchronized (this) {
            assertThat(upstreamCalls).isZero();
        }
        String metrics = HTTP.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + latchkeyPort + "/metrics"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
        assertThat(metrics)
                .containsPattern("latchkey_inbound_validations_total\\{[^}]*outcome=\"rejected\"")
                .doesNotContain("not.a.jwt");
    }
}
