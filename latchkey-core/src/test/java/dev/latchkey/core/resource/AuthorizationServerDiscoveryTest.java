package dev.latchkey.core.resource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.latchkey.core.resource.DiscoveryException.Reason;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * RFC 8414 / OpenID Connect discovery against real servers: mock-oauth2-server as the issuer, and
 * a plain HTTP server on loopback for documents mock-oauth2-server cannot be made to serve.
 */
class AuthorizationServerDiscoveryTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final UrlPolicy LOOPBACK = new UrlPolicy(true, false);
    private static MockOAuth2Server idp;

    private final MetadataServer peer = MetadataServer.start();
    private final AuthorizationServerDiscovery discovery = new AuthorizationServerDiscovery(LOOPBACK, TIMEOUT);

    @BeforeAll
    static void startIdp() throws UnknownHostException {
        idp = new MockOAuth2Server();
        idp.start(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 0);
    }

    @AfterAll
    static void stopIdp() {
        idp.shutdown();
    }

    @AfterEach
    void stopPeer() {
        peer.close();
    }

    private static URI issuer(String id) {
        return URI.create(idp.issuerUrl(id).toString().replace("localhost", "127.0.0.1"));
    }

    private static String metadata(String issuer, String base) {
        return """
                {"issuer":"%1$s","authorization_endpoint":"%2$s/authorize","token_endpoint":"%2$s/token",
                 "token_endpoint_auth_methods_supported":["client_secret_post","private_key_jwt"],
                 "code_challenge_methods_supported":["S256"],"client_id_metadata_document_supported":true,
                 "authorization_response_iss_parameter_supported":true}""".formatted(issuer, base);
    }

    private static void assertReason(ThrowingCallable call, Reason reason) {
        assertThatThrownBy(call)
                .isInstanceOfSatisfying(
                        DiscoveryException.class, e -> assertThat(e.reason()).isEqualTo(reason));
    }

    @Test
    void authorizationServer_mockIssuer_foundThroughOpenIdConfiguration() throws DiscoveryException {
        URI issuer = issuer("tenant-a");

        AuthorizationServer server = discovery.authorizationServer(issuer);

        assertThat(server.issuer()).isEqualTo(issuer);
        assertThat(server.authorizationEndpoint()).isEqualTo(URI.create(issuer + "/authorize"));
        assertThat(server.tokenEndpoint()).isEqualTo(URI.create(issuer + "/token"));
        assertThat(server.revocationEndpoint()).isEqualTo(URI.create(issuer + "/revoke"));
        assertThat(server.registrationEndpoint()).isNull();
        assertThat(server.supportsPkceS256()).isTrue();
        // mock-oauth2-server lists no auth methods: RFC 8414's default applies.
        assertThat(server.tokenEndpointAuthMethods()).isEmpty();
        assertThat(server.supportsTokenEndpointAuthMethod("client_secret_basic"))
                .isTrue();
        assertThat(server.supportsTokenEndpointAuthMethod("client_secret_post")).isFalse();
        assertThat(server.clientIdMetadataDocumentSupported()).isFalse();
    }

    @Test
    void authorizationServer_rfc8414LocationAnswers_usedAndOpenIdConfigurationNotFetched() throws DiscoveryException {
        String issuer = peer.origin() + "/tenant";
        peer.json("/.well-known/oauth-authorization-server/tenant", metadata(issuer, peer.origin() + "/as"));
        peer.json("/tenant/.well-known/openid-configuration", metadata(issuer, peer.origin() + "/oidc"));

        AuthorizationServer server = discovery.authorizationServer(URI.create(issuer));

        assertThat(server.tokenEndpoint()).isEqualTo(peer.uri("/as/token"));
        assertThat(server.authorizationEndpoint()).isEqualTo(peer.uri("/as/authorize"));
        assertThat(server.tokenEndpointAuthMethods())
                .containsExactlyInAnyOrder("client_secret_post", "private_key_jwt");
        assertThat(server.supportsTokenEndpointAuthMethod("client_secret_basic"))
                .isFalse();
        assertThat(server.supportsPkceS256()).isTrue();
        assertThat(server.clientIdMetadataDocumentSupported()).isTrue();
        assertThat(server.authorizationResponseIssParameterSupported()).isTrue();
        assertThat(peer.hits("/tenant/.well-known/openid-configuration")).isZero();
    }

    @Test
    void authorizationServer_issuerWithoutPath_rootLocations() throws DiscoveryException {
        String issuer = peer.origin();
        peer.json("/.well-known/openid-configuration", metadata(issuer, issuer));

        AuthorizationServer server = discovery.authorizationServer(URI.create(issuer));

        assertThat(server.tokenEndpoint()).isEqualTo(peer.uri("/token"));
        assertThat(peer.hits("/.well-known/oauth-authorization-server")).isEqualTo(1);
        assertThat(peer.totalHits()).isEqualTo(2);
    }

    @Test
    void authorizationServer_htmlPageAtRfc8414Location_fallsBackToOpenIdConfiguration() throws DiscoveryException {
        String issuer = peer.origin() + "/t";
        peer.answer(
                "/.well-known/oauth-authorization-server/t",
                200,
                Map.of("Content-Type", "text/html"),
                "<html>single page app</html>");
        peer.json("/t/.well-known/openid-configuration", metadata(issuer, issuer));

        assertThat(discovery.authorizationServer(URI.create(issuer)).tokenEndpoint())
                .isEqualTo(URI.create(issuer + "/token"));
    }

    @Test
    void authorizationServer_requestedIssuerHasTrailingSlash_issuerMismatch() {
        // mock-oauth2-server's document names the issuer without the slash: not identical.
        assertReason(() -> discovery.authorizationServer(URI.create(issuer("tenant-a") + "/")), Reason.ISSUER_MISMATCH);
    }

    @Test
    void authorizationServer_documentNamesAnotherIssuer_issuerMismatchAndNoFallback() {
        peer.json(
                "/.well-known/oauth-authorization-server/victim", metadata("https://attacker.example", peer.origin()));
        peer.json("/victim/.well-known/openid-configuration", metadata(peer.origin() + "/victim", peer.origin()));

        assertReason(() -> discovery.authorizationServer(peer.uri("/victim")), Reason.ISSUER_MISMATCH);
        assertThat(peer.hits("/victim/.well-known/openid-configuration")).isZero();
    }

    @Test
    void authorizationServer_httpIssuerWithoutDevelopmentFlag_insecureUrlAndNothingFetched() {
        AuthorizationServerDiscovery strict = new AuthorizationServerDiscovery(UrlPolicy.httpsOnly(), TIMEOUT);

        assertReason(() -> strict.authorizationServer(issuer("tenant-a")), Reason.INSECURE_URL);
        assertReason(() -> strict.authorizationServer(peer.uri("/t")), Reason.INSECURE_URL);
        assertThat(peer.totalHits()).isZero();
    }

    @Test
    void authorizationServer_endpointOnAnotherHostOverHttp_insecureUrl() {
        String issuer = peer.origin() + "/t";
        peer.json("/.well-known/oauth-authorization-server/t", """
                {"issuer":"%s","authorization_endpoint":"https://as.example/authorize",
                 "token_endpoint":"http://as.example/token"}""".formatted(issuer));

        assertThatThrownBy(() -> discovery.authorizationServer(URI.create(issuer)))
                .isInstanceOfSatisfying(DiscoveryException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.INSECURE_URL);
                    assertThat(e.getMessage()).contains("token_endpoint");
                });
    }

    @Test
    void authorizationServer_noTokenEndpoint_badMetadata() {
        String issuer = peer.origin() + "/t";
        peer.json(
                "/.well-known/oauth-authorization-server/t",
                "{\"issuer\":\"" + issuer + "\",\"authorization_endpoint\":\"" + issuer + "/authorize\"}");

        assertReason(() -> discovery.authorizationServer(URI.create(issuer)), Reason.BAD_METADATA);
    }

    @Test
    void authorizationServer_issuerWithQuery_insecureUrl() {
        assertReason(() -> discovery.authorizationServer(peer.uri("/t?x=1")), Reason.INSECURE_URL);
        assertThat(peer.totalHits()).isZero();
    }

    @Test
    void authorizationServer_nowhereToBeFound_metadataNotFoundAfterEveryLocation() {
        assertReason(() -> discovery.authorizationServer(peer.uri("/t")), Reason.METADATA_NOT_FOUND);
        assertThat(peer.hits("/.well-known/oauth-authorization-server/t")).isEqualTo(1);
        assertThat(peer.hits("/.well-known/openid-configuration/t")).isEqualTo(1);
        assertThat(peer.hits("/t/.well-known/openid-configuration")).isEqualTo(1);
    }

    @Test
    void authorizationServer_serverError_unreachable() {
        peer.answer("/.well-known/oauth-authorization-server/t", 503, Map.of(), "down for maintenance");

        assertReason(() -> discovery.authorizationServer(peer.uri("/t")), Reason.UNREACHABLE);
    }

    @Test
    void authorizationServer_redirectToAnotherHost_notFollowed() {
        MetadataServer elsewhere = MetadataServer.start();
        try {
            String issuer = peer.origin() + "/t";
            elsewhere.json("/meta", metadata(issuer, issuer));
            for (String path : new String[] {
                "/.well-known/oauth-authorization-server/t",
                "/.well-known/openid-configuration/t",
                "/t/.well-known/openid-configuration"
            }) {
                peer.answer(path, 302, Map.of("Location", elsewhere.uri("/meta").toString()), "");
            }

            assertThatThrownBy(() -> discovery.authorizationServer(URI.create(issuer)))
                    .isInstanceOfSatisfying(DiscoveryException.class, e -> {
                        assertThat(e.reason()).isEqualTo(Reason.METADATA_NOT_FOUND);
                        assertThat(e.getMessage()).contains("redirects are not followed");
                    });
            assertThat(elsewhere.totalHits()).isZero();
        } finally {
            elsewhere.close();
        }
    }

    @Test
    void authorizationServer_documentLargerThanLimit_badMetadata() {
        String issuer = peer.origin() + "/t";
        String padding = "x".repeat(AuthorizationServerDiscovery.MAX_DOCUMENT_BYTES);
        String huge = metadata(issuer, issuer).replace("{", "{\"padding\":\"" + padding + "\",");
        peer.json("/.well-known/oauth-authorization-server/t", huge);

        assertThatThrownBy(() -> discovery.authorizationServer(URI.create(issuer)))
                .isInstanceOfSatisfying(DiscoveryException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.BAD_METADATA);
                    assertThat(e.getMessage()).contains("exceeds").doesNotContain("xxxx");
                });
    }

    @Test
    void authorizationServer_chunkedDocumentLargerThanLimit_badMetadata() {
        String issuer = peer.origin() + "/t";
        // A valid document, streamed without Content-Length: the limit must hold while reading.
        String document = metadata(issuer, issuer);
        peer.route("/.well-known/oauth-authorization-server/t", exchange -> {
            exchange.sendResponseHeaders(200, 0);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(document.substring(0, document.length() - 1).getBytes(StandardCharsets.UTF_8));
                out.write(",\"padding\":[0".getBytes(StandardCharsets.UTF_8));
                byte[] chunk = ",1,2,3,4,5,6,7".repeat(512).getBytes(StandardCharsets.UTF_8);
                for (int written = 0;
                        written < 2 * AuthorizationServerDiscovery.MAX_DOCUMENT_BYTES;
                        written += chunk.length) {
                    out.write(chunk);
                }
                out.write("]}".getBytes(StandardCharsets.UTF_8));
            } catch (IOException clientHungUp) {
                // Expected: discovery stops reading at the limit.
            }
        });

        assertThatThrownBy(() -> discovery.authorizationServer(URI.create(issuer)))
                .isInstanceOfSatisfying(DiscoveryException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.BAD_METADATA);
                    assertThat(e.getMessage()).contains("exceeds");
                });
    }

    @Test
    void authorizationServer_deeplyNestedJson_badMetadataNotStackOverflow() {
        String issuer = peer.origin() + "/t";
        String nested = "{\"issuer\":\"" + issuer + "\",\"x\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}";
        peer.json("/.well-known/oauth-authorization-server/t", nested);
        peer.json("/t/.well-known/openid-configuration", nested);

        assertReason(() -> discovery.authorizationServer(URI.create(issuer)), Reason.BAD_METADATA);
    }

    @Test
    void authorizationServer_closedPort_unreachable() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        URI issuer = URI.create("http://127.0.0.1:" + port + "/t");

        assertReason(() -> discovery.authorizationServer(issuer), Reason.UNREACHABLE);
    }

    @Test
    void authorizationServer_serverSendsHeadersThenStalls_unreachableWithinDeadline() throws Exception {
        AuthorizationServerDiscovery quick = new AuthorizationServerDiscovery(LOOPBACK, Duration.ofMillis(500));
        CountDownLatch release = new CountDownLatch(1);
        String issuer = peer.origin() + "/t";
        peer.route("/.well-known/oauth-authorization-server/t", exchange -> {
            exchange.sendResponseHeaders(200, 0);
            OutputStream out = exchange.getResponseBody();
            out.write("{\"issuer\":".getBytes(StandardCharsets.UTF_8));
            out.flush();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        long started = System.nanoTime();
        try {
            assertReason(() -> quick.authorizationServer(URI.create(issuer)), Reason.UNREACHABLE);
        } finally {
            release.countDown();
        }
        // The deadline covers the body too; the bound is generous for a loaded machine.
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void authorizationServer_peerAcceptsButNeverAnswers_unreachableWithinDeadline() throws Exception {
        AuthorizationServerDiscovery quick = new AuthorizationServerDiscovery(LOOPBACK, Duration.ofMillis(500));
        CountDownLatch release = new CountDownLatch(1);
        try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().start(() -> {
                try (Socket accepted = silent.accept()) {
                    // Hold the connection open without a byte of answer.
                    release.await();
                    accepted.shutdownOutput();
                } catch (IOException | InterruptedException e) {
                    // closed by the test
                }
            });
            long started = System.nanoTime();
            try {
                assertReason(
                        () -> quick.authorizationServer(URI.create("http://127.0.0.1:" + silent.getLocalPort() + "/t")),
                        Reason.UNREACHABLE);
            } finally {
                release.countDown();
            }
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
        }
    }
}
