package dev.latchkey.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.latchkey.app.config.ConfigLoader;
import dev.latchkey.app.config.LatchkeyConfig;
import dev.latchkey.core.crypto.Keyset;
import dev.latchkey.testkit.MockIdp;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Entra's groups overage against the wired application: a token with {@code _claim_names} instead
 * of {@code groups} gets its groups from the tenant's configured directory (a loopback stub of
 * Graph's {@code getMemberObjects}), called with a client-credentials token from the tenant's
 * configured token endpoint (mock-oauth2-server), never at the URL the token names.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GroupOverageApplicationTest {
    private static final String CLIENT_ID = "latchkey-graph";

    private MockIdp idp;
    private HttpServer graph;
    private final List<String> graphCalls = new CopyOnWriteArrayList<>();
    private final List<String> refusedCalls = new CopyOnWriteArrayList<>();
    private Application app;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        idp = MockIdp.start();
        graph = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        graph.createContext("/v1.0/users/", this::getMemberObjects);
        graph.start();
        int deadPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            deadPort = socket.getLocalPort();
        }
        String yaml = """
                server: { host: 127.0.0.1, port: 0, publicUrl: "http://127.0.0.1:8080" }
                database: { url: "jdbc:h2:file:%s" }
                keys: { keyset: "file:./keyset.json" }
                development: { allowInsecureHttp: true }
                tenants:
                  acme:
                    issuers:
                      - issuer: %s
                        audiences: [latchkey]
                    identity:
                      provisioning: jit
                      groupsClaim: groups
                      groupDirectory:
                        endpoint: "http://127.0.0.1:%d/v1.0/users/{oid}/getMemberObjects"
                        tokenEndpoint: "%s"
                        clientId: %s
                        clientSecret: graph-client-secret
                        scope: "https://graph.microsoft.com/.default"
                  globex:
                    issuers:
                      - issuer: %s
                        audiences: [latchkey]
                    identity:
                      provisioning: jit
                      groupsClaim: groups
                      groupDirectory:
                        endpoint: "http://127.0.0.1:%d/v1.0/users/{oid}/getMemberObjects"
                        tokenEndpoint: "%s"
                        clientId: %s
                        clientSecret: graph-client-secret
                """.formatted(
                        dir.resolve("latchkey").toString().replace('\\', '/'),
                        idp.issuer("acme"),
                        graph.getAddress().getPort(),
                        idp.tokenEndpoint("graph"),
                        CLIENT_ID,
                        idp.issuer("globex"),
                        deadPort,
                        idp.tokenEndpoint("graph-globex"),
                        CLIENT_ID);
        LatchkeyConfig config =
                new ConfigLoader(name -> Optional.empty()).loadText(yaml).orElseThrow();
        app = Application.start(config, Keyset.generate(), Clock.systemUTC());
    }

    @AfterAll
    void stop() {
        app.close();
        http.close();
        graph.stop(0);
        idp.close();
    }

    /** The stub: answers only a POST whose bearer token the MockIdp's "graph" issuer signed for our client. */
    private void getMemberObjects(HttpExchange exchange) throws IOException {
        try (exchange) {
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            if (!"POST".equals(exchange.getRequestMethod()) || !issuedByMockIdp(authorization)) {
                refusedCalls.add(exchange.getRequestURI().getPath());
                exchange.sendResponseHeaders(401, -1);
                return;
            }
            graphCalls.add(exchange.getRequestURI().getPath());
            byte[] body = "{\"value\":[\"g1\",\"g2\"]}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    private boolean issuedByMockIdp(String authorization) {
        if (authorization == null || !authorization.startsWith("Bearer ")) {
            return false;
        }
        try {
            SignedJWT jwt = SignedJWT.parse(authorization.substring("Bearer ".length()));
            RSAKey key = JWKSet.load(idp.jwksUri("graph").toURL())
                    .getKeyByKeyId(jwt.getHeader().getKeyID())
                    .toRSAKey();
            return jwt.verify(new RSASSAVerifier(key))
                    && idp.issuer("graph").equals(jwt.getJWTClaimsSet().getIssuer())
                    && CLIENT_ID.equals(jwt.getJWTClaimsSet().getSubject());
        } catch (Exception e) {
            return false;
        }
    }

    private static Map<String, Object> overage(String oid) {
        return Map.of(
                "scope",
                "openid",
                "oid",
                oid,
                "_claim_names",
                Map.of("groups", "src1"),
                // Attacker-influenced: must never be called.
                "_claim_sources",
                Map.of("src1", Map.of("endpoint", "http://127.0.0.1:1/evil")));
    }

    private HttpResponse<String> me(String issuerId, String subject, Map<String, Object> claims) throws Exception {
        String token = idp.issueToken(issuerId, subject, "latchkey", claims).serialize();
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/v1/me"))
                        .header("Authorization", "Bearer " + token)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void overage_groupsFromDirectory_oncePerUser_tokenReused() throws Exception {
        String aliceOid = "6f1c2d3e-4a5b-4c6d-8e7f-0a1b2c3d4e5f";
        String bobOid = "0b9a8c7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d";

        HttpResponse<String> first = me("acme", "alice", overage(aliceOid));
        HttpResponse<String> second = me("acme", "alice", overage(aliceOid));
        HttpResponse<String> third = me("acme", "alice", overage(aliceOid));

        for (HttpResponse<String> response : List.of(first, second, third)) {
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            assertThat(response.body()).contains("\"groups\":[\"g1\",\"g2\"]");
        }
        assertThat(graphCalls).containsExactly("/v1.0/users/" + aliceOid + "/getMemberObjects");

        HttpResponse<String> bob = me("acme", "bob", overage(bobOid));

        assertThat(bob.statusCode()).as(bob.body()).isEqualTo(200);
        assertThat(bob.body()).contains("\"groups\":[\"g1\",\"g2\"]");
        assertThat(graphCalls)
                .containsExactly(
                        "/v1.0/users/" + aliceOid + "/getMemberObjects", "/v1.0/users/" + bobOid + "/getMemberObjects");
        assertThat(refusedCalls).isEmpty();
        // One client-credentials token served both lookups.
        assertThat(idp.tokenCalls("graph", request -> request.grantType().equals("client_credentials")))
                .isEqualTo(1);
    }

    @Test
    void groupsInTheToken_directoryNotCalled() throws Exception {
        int before = graphCalls.size();

        HttpResponse<String> me = me(
                "acme",
                "carol",
                Map.of("scope", "openid", "oid", "1a2b3c4d-0000-4000-8000-000000000001", "groups", List.of("eng")));

        assertThat(me.statusCode()).as(me.body()).isEqualTo(200);
        assertThat(me.body()).contains("\"groups\":[\"eng\"]");
        assertThat(graphCalls).hasSize(before);
    }

    @Test
    void directoryDown_userResolvedWithoutGroups_never500() throws Exception {
        HttpResponse<String> me = me("globex", "dave", overage("2b3c4d5e-0000-4000-8000-000000000002"));

        // IdentityResolver: a failed lookup keeps the stored groups (none for a new user) and is audited.
        assertThat(me.statusCode()).as(me.body()).isEqualTo(200);
        assertThat(me.body()).contains("\"tenant\":\"globex\"").contains("\"groups\":[]");
    }
}
