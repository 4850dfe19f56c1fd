package dev.latchkey.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.latchkey.app.config.ConfigLoader;
import dev.latchkey.app.config.LatchkeyConfig;
import dev.latchkey.core.crypto.Keyset;
import dev.latchkey.testkit.MockIdp;
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
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Without a configured {@code clientId}, Latchkey identifies itself to an authorization server that
 * accepts Client ID Metadata Documents by the URL of its own document, serves that document, and
 * connects as a public client with PKCE. The authorization server here is mock-oauth2-server
 * described by RFC 8414 metadata that advertises {@code client_id_metadata_document_supported}.
 */
class ClientMetadataDocumentTest {
    private static final Pattern AUTHORIZATION_URL = Pattern.compile("\"authorization_url\":\"([^\"]+)\"");
    private static final String PUBLIC_URL = "http://127.0.0.1:8080";

    @TempDir
    Path dir;

    private MockIdp idp;
    private HttpServer metadata;
    private Application app;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        idp = MockIdp.start();
        metadata = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        String issuer = "http://127.0.0.1:" + metadata.getAddress().getPort() + "/as";
        String document = """
                {"issuer":"%s","authorization_endpoint":"%s/authorize","token_endpoint":"%s",
                 "response_types_supported":["code"],"code_challenge_methods_supported":["S256"],
                 "token_endpoint_auth_methods_supported":["none","client_secret_basic"],
                 "client_id_metadata_document_supported":true}
                """.formatted(issuer, idp.issuer("github"), idp.tokenEndpoint("github"));
        metadata.createContext("/.well-known/oauth-authorization-server/as", exchange -> {
            byte[] body = document.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        metadata.start();
        String yaml = """
                server: { host: 127.0.0.1, port: 0, publicUrl: "%s" }
                database: { url: "jdbc:h2:file:%s" }
                keys: { keyset: "file:./keyset.json" }
                development: { allowInsecureHttp: true }
                tenants:
                  acme:
                    issuers: [ { issuer: %s, audiences: [latchkey] } ]
                    identity: { provisioning: jit }
                    resources:
                      tools:
                        url: http://127.0.0.1:1/mcp
                        authorization: { discovery: rfc8414, issuer: "%s", scopes: [openid] }
                """.formatted(
                        PUBLIC_URL, dir.resolve("latchkey").toString().replace('\\', '/'), idp.issuer("acme"), issuer);
        LatchkeyConfig config =
                new ConfigLoader(name -> Optional.empty()).loadText(yaml).orElseThrow();
        app = Application.start(config, Keyset.generate(), Clock.systemUTC());
    }

    @AfterEach
    void stop() {
        app.close();
        metadata.stop(0);
        http.close();
        idp.close();
    }

    @Test
    void withoutClientId_latchkeyIsItsMetadataDocumentsUrl_andConnectsAsAPublicClient() throws Exception {
        String clientId = PUBLIC_URL + "/oauth/client/acme";
        HttpResponse<String> document =
                send(HttpRequest.newBuilder(local("/oauth/client/acme")).build());
        assertThat(document.statusCode()).isEqualTo(200);
        assertThat(document.headers().firstValue("Cache-Control")).hasValue("public, max-age=3600");
        assertThat(document.body())
                .contains(
                        "\"client_id\":\"" + clientId + "\"",
                        "\"redirect_uris\":[\"" + PUBLIC_URL + "/v1/connections/callback\"]",
                        "\"token_endpoint_auth_method\":\"none\"");
        assertThat(send(HttpRequest.newBuilder(local("/oauth/client/globex")).build())
                        .statusCode())
                .isEqualTo(404);

        String bearer = "Bearer "
                + idp.issueToken("acme", "alice", "latchkey", Map.of()).serialize();
        HttpResponse<String> started = send(HttpRequest.newBuilder(local("/v1/connections/tools/authorize"))
                .header("Authorization", bearer)
                .header("Accept", "application/json")
                .build());
        assertThat(started.statusCode()).as(started.body()).isEqualTo(200);
        URI authorize = URI.create(find(AUTHORIZATION_URL, started.body()));
        assertThat(URLDecoder.decode(authorize.getRawQuery(), StandardCharsets.UTF_8))
                .contains("client_id=" + clientId);

        HttpResponse<String> login = send(HttpRequest.newBuilder(authorize).build());
        URI callback = URI.create(login.headers().firstValue("Location").orElseThrow());
        HttpResponse<String> finished =
                send(HttpRequest.newBuilder(local(callback.getPath() + "?" + callback.getRawQuery()))
                        .build());
        assertThat(finished.statusCode()).as(finished.body()).isEqualTo(200);
        assertThat(idp.tokenCalls(
                        "github",
                        request -> "authorization_code".equals(request.grantType())
                                && clientId.equals(request.parameters().get("client_id"))
                                && request.parameters().containsKey("code_verifier")))
                .isEqualTo(1);

        HttpResponse<String> token = send(HttpRequest.newBuilder(local("/v1/tokens/tools"))
                .header("Authorization", bearer)
                .build());
        assertThat(token.statusCode()).as(token.body()).isEqualTo(200);
    }

    private HttpResponse<String> send(HttpRequest request) throws Exception {
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private URI local(String path) {
        return URI.create("http://127.0.0.1:" + app.port() + path);
    }

    private static String find(Pattern pattern, String body) {
        Matcher matcher = pattern.matcher(body);
        assertThat(matcher.find()).as(body).isTrue();
        return matcher.group(1).replace("\\u0026", "&").replace("\\/", "/");
    }
}
