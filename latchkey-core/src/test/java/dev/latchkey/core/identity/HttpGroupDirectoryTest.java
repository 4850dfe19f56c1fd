package dev.latchkey.core.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.latchkey.core.secret.Secret;
import dev.latchkey.core.tenant.TenantId;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link HttpGroupDirectory} against a stub directory on a loopback port. */
class HttpGroupDirectoryTest {
    private static final String OID = "0f4b2a6e-1c3d-4e5f-8a9b-0c1d2e3f4a5b";

    private HttpServer server;
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final AtomicInteger status = new AtomicInteger(200);
    private final AtomicReference<String> body = new AtomicReference<>("{\"value\":[\"g-1\",\"g-2\",42]}");
    private final HttpClient client = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            String requestBody = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            requests.add(
                    exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath() + " "
                            + exchange.getRequestHeaders().getFirst("Authorization") + " " + requestBody);
            byte[] answer = body.get().getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status.get(), answer.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(answer);
            }
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
        client.close();
    }

    @Test
    void groupsOf_overageToken_postsToConfiguredEndpointWithBearer() {
        GroupLookup lookup = directory()
                .groupsOf(token(Map.of(
                        "oid", OID,
                        "_claim_names", Map.of("groups", "src1"),
                        "_claim_sources", Map.of("src1", Map.of("endpoint", "http://127.0.0.1:1/evil")))));

        assertThat(lookup).isEqualTo(new GroupLookup.Found(Set.of("g-1", "g-2")));
        assertThat(requests)
                .containsExactly("POST /v1.0/users/" + OID + "/getMemberObjects Bearer directory-token"
                        + " {\"securityEnabledOnly\":false}");
    }

    @Test
    void groupsOf_directoryAnswers500_failed() {
        status.set(503);

        assertThat(directory().groupsOf(token(Map.of("oid", OID))))
                .isEqualTo(new GroupLookup.Failed("directory_status_5xx"));
    }

    @Test
    void groupsOf_notJson_failed() {
        body.set("<html>oops</html>");

        assertThat(directory().groupsOf(token(Map.of("oid", OID))))
                .isEqualTo(new GroupLookup.Failed("directory_response_invalid"));
    }

    @Test
    void groupsOf_objectIdNotAGuid_failedWithoutCall() {
        assertThat(directory().groupsOf(token(Map.of("oid", "../../admin"))))
                .isEqualTo(new GroupLookup.Failed("no_object_id"));
        assertThat(directory().groupsOf(token(Map.of()))).isEqualTo(new GroupLookup.Failed("no_object_id"));
        assertThat(requests).isEmpty();
    }

    @Test
    void groupsOf_directoryDown_failed() {
        server.stop(0);

        assertThat(directory().groupsOf(token(Map.of("oid", OID))))
                .isEqualTo(new GroupLookup.Failed("directory_unavailable"));
    }

    @Test
    void constructor_plainHttpToNonLoopbackOrMissingPlaceholder_refused() {
        assertThatThrownBy(() -> new HttpGroupDirectory(
                        client,
                        "http://graph.test/users/{oid}/getMemberObjects",
                        () -> Secret.of("t"),
                        Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new HttpGroupDirectory(
                        client, "http://localhost/users/{oid}", () -> Secret.of("t"), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new HttpGroupDirectory(
                        client, "https://graph.test/users/me", () -> Secret.of("t"), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(new HttpGroupDirectory(
                        client, "https://graph.test/users/{oid}", () -> Secret.of("t"), Duration.ofSeconds(1)))
                .isNotNull();
    }

    private HttpGroupDirectory directory() {
        return new HttpGroupDirectory(
                client,
                "http://127.0.0.1:" + server.getAddress().getPort() + "/v1.0/users/{oid}/getMemberObjects",
                () -> Secret.of("directory-token"),
                Duration.ofSeconds(5));
    }

    private static TokenIdentity token(Map<String, Object> claims) {
        return new TokenIdentity(TenantId.of("acme"), "https://login.test/v2.0", "sub-1", claims, Set.of());
    }
}
