package dev.latchkey.core.resource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.latchkey.core.resource.DiscoveryException.Reason;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * RFC 9728 discovery against a real HTTP resource on loopback, with mock-oauth2-server as the
 * authorization server it names.
 */
class ProtectedResourceDiscoveryTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(2);
    private static final UrlPolicy LOOPBACK = new UrlPolicy(true, false);
    private static MockOAuth2Server idp;

    private final MetadataServer resource = MetadataServer.start();
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
    void stopResource() {
        resource.close();
    }

    private static String issuer() {
        return idp.issuerUrl("mcp-as").toString().replace("localhost", "127.0.0.1");
    }

    private static String metadata(String resourceId, String... servers) {
        String list = String.join("\",\"", servers);
        return """
                {"resource":"%s","authorization_servers":[%s],"scopes_supported":["files:read","files:write"]}""".formatted(resourceId, servers.length == 0 ? "" : "\"" + list + "\"");
    }

    private void challengeAt(String path, String header) {
        resource.answer(path, 401, Map.of("WWW-Authenticate", header), "{\"error\":\"unauthorized\"}");
    }

    private static void assertReason(ThrowingCallable call, Reason reason) {
        assertThatThrownBy(call)
                .isInstanceOfSatisfying(
                        DiscoveryException.class, e -> assertThat(e.reason()).isEqualTo(reason));
    }

    @Test
    void protectedResource_challengeNamesMetadata_documentThereThenIssuerDiscovered() throws DiscoveryException {
        URI mcp = resource.uri("/mcp");
        challengeAt("/mcp", "Bearer realm=\"mcp\", resource_metadata=\"" + resource.uri("/meta/mcp") + "\"");
        resource.json("/meta/mcp", metadata(mcp.toString(), issuer()));

        ProtectedResource found = discovery.protectedResource(mcp);
        AuthorizationServer server =
                discovery.authorizationServer(found.authorizationServers().getFirst());

        assertThat(found.resource()).isEqualTo(mcp);
        assertThat(found.authorizationServers()).containsExactly(URI.create(issuer()));
        assertThat(found.scopesSupported()).containsExactlyInAnyOrder("files:read", "files:write");
        assertThat(server.tokenEndpoint()).isEqualTo(URI.create(issuer() + "/token"));
        assertThat(resource.hits("/mcp")).isEqualTo(1);
        assertThat(resource.hits("/.well-known/oauth-protected-resource/mcp")).isZero();
    }

    @Test
    void protectedResource_challengeAmongOthers_bearerOneRead() throws DiscoveryException {
        URI mcp = resource.uri("/mcp");
        challengeAt(
                "/mcp",
                "Basic realm=\"x\", DPoP algs=\"ES256\", Bearer error=\"invalid_token\", resource_metadata=\""
                        + resource.uri("/meta") + "\"");
        resource.json("/meta", metadata(mcp.toString(), issuer()));

        assertThat(discovery.protectedResource(mcp).authorizationServers()).containsExactly(URI.create(issuer()));
    }

    @Test
    void protectedResource_noChallenge_wellKnownWithPathInserted() throws DiscoveryException {
        URI mcp = resource.uri("/mcp/");
        resource.answer("/mcp/", 405, Map.of(), "");
        resource.json("/.well-known/oauth-protected-resource/mcp", metadata(mcp.toString(), issuer()));

        ProtectedResource found = discovery.protectedResource(mcp);

        assertThat(found.resource()).isEqualTo(mcp);
        assertThat(resource.hits("/.well-known/oauth-protected-resource")).isZero();
    }

    @Test
    void protectedResource_challengeWithoutResourceMetadata_wellKnownAtRootNamingOrigin() throws DiscoveryException {
        URI mcp = resource.uri("/v1/mcp");
        challengeAt("/v1/mcp", "Bearer realm=\"api\"");
        resource.json("/.well-known/oauth-protected-resource", metadata(resource.origin(), issuer()));

        ProtectedResource found = discovery.protectedResource(mcp);

        assertThat(found.resource()).isEqualTo(URI.create(resource.origin()));
        assertThat(resource.hits("/.well-known/oauth-protected-resource/v1/mcp"))
                .isEqualTo(1);
    }

    @Test
    void protectedResource_resourceAnswersAnEndlessStream_probeDoesNotWaitForIt() throws DiscoveryException {
        URI mcp = resource.uri("/mcp");
        CountDownLatch release = new CountDownLatch(1);
        resource.route("/mcp", exchange -> {
            exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
            exchange.sendResponseHeaders(200, 0);
            OutputStream out = exchange.getResponseBody();
            out.write(": keep-alive\n\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        resource.json("/.well-known/oauth-protected-resource/mcp", metadata(mcp.toString(), issuer()));
        AuthorizationServerDiscovery slowToGiveUp = new AuthorizationServerDiscovery(LOOPBACK, Duration.ofSeconds(30));
        long started = System.nanoTime();
        try {
            assertThat(slowToGiveUp.protectedResource(mcp).resource()).isEqualTo(mcp);
        } finally {
            release.countDown();
        }
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void fromChallenge_headerAlreadyHeld_resourceNotProbed() throws DiscoveryException {
        URI mcp = resource.uri("/mcp");
        resource.json("/meta", metadata(mcp.toString(), issuer()));

        ProtectedResource found =
                discovery.fromChallenge(mcp, "Bearer resource_metadata=\"" + resource.uri("/meta") + "\"");

        assertThat(found.authorizationServers()).containsExactly(URI.create(issuer()));
        assertThat(resource.hits("/mcp")).isZero();
    }

    @Test
    void protectedResource_metadataNamesAnotherResource_resourceMismatch() {
        URI mcp = resource.uri("/mcp");
        challengeAt("/mcp", "Bearer resource_metadata=\"" + resource.uri("/meta") + "\"");
        resource.json("/meta", metadata(resource.origin() + "/other", issuer()));

        assertReason(() -> discovery.protectedResource(mcp), Reason.RESOURCE_MISMATCH);
    }

    @Test
    void protectedResource_wellKnownWithPathNamesOrigin_resourceMismatch() {
        URI mcp = resource.uri("/mcp");
        resource.json("/.well-known/oauth-protected-resource/mcp", metadata(resource.origin(), issuer()));

        assertReason(() -> discovery.protectedResource(mcp), Reason.RESOURCE_MISMATCH);
    }

    @Test
    void protectedResource_noAuthorizationServer_noAuthorizationServer() {
        URI mcp = resource.uri("/mcp");
        resource.json("/.well-known/oauth-protected-resource/mcp", metadata(mcp.toString()));

        assertReason(() -> discovery.protectedResource(mcp), Reason.NO_AUTHORIZATION_SERVER);
    }

    @Test
    void protectedResource_authorizationServersMistyped_badMetadata() {
        URI mcp = resource.uri("/mcp");
        resource.json(
                "/.well-known/oauth-protected-resource/mcp",
                "{\"resource\":\"" + mcp + "\",\"authorization_servers\":\"" + issuer() + "\"}");

        assertReason(() -> discovery.protectedResource(mcp), Reason.BAD_METADATA);
    }

    @Test
    void protectedResource_noMetadataAnywhere_metadataNotFound() {
        assertReason(() -> discovery.protectedResource(resource.uri("/mcp")), Reason.METADATA_NOT_FOUND);
        assertThat(resource.hits("/.well-known/oauth-protected-resource/mcp")).isEqualTo(1);
        assertThat(resource.hits("/.well-known/oauth-protected-resource")).isEqualTo(1);
    }

    @Test
    void protectedResource_metadataLargerThanLimit_badMetadata() {
        URI mcp = resource.uri("/mcp");
        String padding = "s".repeat(AuthorizationServerDiscovery.MAX_DOCUMENT_BYTES);
        resource.json(
                "/.well-known/oauth-protected-resource/mcp",
                metadata(mcp.toString(), issuer()).replace("{", "{\"padding\":\"" + padding + "\","));

        assertReason(() -> discovery.protectedResource(mcp), Reason.BAD_METADATA);
    }

    @Test
    void protectedResource_httpAuthorizationServerOnAnotherHost_insecureUrl() {
        URI mcp = resource.uri("/mcp");
        resource.json("/.well-known/oauth-protected-resource/mcp", metadata(mcp.toString(), "http://as.example"));

        assertReason(() -> discovery.protectedResource(mcp), Reason.INSECURE_URL);
    }

    @Test
    void protectedResource_httpResourceWithoutDevelopmentFlag_insecureUrlAndNothingFetched() {
        AuthorizationServerDiscovery strict = new AuthorizationServerDiscovery(UrlPolicy.httpsOnly(), TIMEOUT);

        assertReason(() -> strict.protectedResource(resource.uri("/mcp")), Reason.INSECURE_URL);
        assertThat(resource.totalHits()).isZero();
    }

    @Test
    void protectedResource_guardOnAndChallengePointsAtCloudMetadata_forbiddenAddressNotFetched() {
        // Loopback is allowed for the test resource itself; the link-local target is not.
        AuthorizationServerDiscovery guarded = new AuthorizationServerDiscovery(new UrlPolicy(true, true), TIMEOUT);
        URI mcp = resource.uri("/mcp");
        challengeAt("/mcp", "Bearer resource_metadata=\"https://169.254.169.254/latest/meta-data/\"");

        assertReason(() -> guarded.protectedResource(mcp), Reason.FORBIDDEN_ADDRESS);
    }

    @Test
    void protectedResource_guardOnAndAuthorizationServerPrivate_forbiddenAddress() {
        AuthorizationServerDiscovery guarded = new AuthorizationServerDiscovery(new UrlPolicy(true, true), TIMEOUT);
        URI mcp = resource.uri("/mcp");
        resource.json("/.well-known/oauth-protected-resource/mcp", metadata(mcp.toString(), "https://10.0.0.7/as"));

        assertReason(() -> guarded.protectedResource(mcp), Reason.FORBIDDEN_ADDRESS);
    }

    @Test
    void protectedResource_guardOnWithoutLoopbackFlag_privateResourceRefusedBeforeAnyConnection() {
        AuthorizationServerDiscovery guarded = new AuthorizationServerDiscovery(new UrlPolicy(false, true), TIMEOUT);

        assertReason(() -> guarded.protectedResource(URI.create("https://127.0.0.1:1/mcp")), Reason.FORBIDDEN_ADDRESS);
        assertReason(() -> guarded.protectedResource(URI.create("https://[fd00::1]/mcp")), Reason.FORBIDDEN_ADDRESS);
    }

    @Test
    void exceptionMessage_neverHoldsBodyHeaderOrPath() throws IOException {
        URI mcp = resource.uri("/mcp/secret-path-token?key=sk-live-123");
        challengeAt(
                "/mcp/secret-path-token",
                "Bearer resource_metadata=\"" + resource.uri("/meta") + "\", error_description=\"hdr-secret\"");
        resource.json("/meta", "{\"resource\":\"body-secret\",\"authorization_servers\":[\"" + issuer() + "\"]}");

        assertThatThrownBy(() -> discovery.protectedResource(mcp))
                .isInstanceOfSatisfying(DiscoveryException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.RESOURCE_MISMATCH);
                    assertThat(e.getMessage())
                            .doesNotContain("body-secret", "hdr-secret", "secret-path-token", "sk-live-123")
                            .contains(resource.origin());
                });
        assertThat(List.of(Reason.values())).filteredOn(Reason::isTransient).containsExactly(Reason.UNREACHABLE);
    }
}
