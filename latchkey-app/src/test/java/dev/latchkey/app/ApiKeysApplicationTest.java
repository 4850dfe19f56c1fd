package dev.latchkey.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.latchkey.app.config.ConfigLoader;
import dev.latchkey.app.config.LatchkeyConfig;
import dev.latchkey.core.crypto.Keyset;
import dev.latchkey.core.secret.DeploymentSecretUnreadableException;
import dev.latchkey.testkit.MockIdp;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
 * The wired application with a real {@link dev.latchkey.core.identity.ApiKeys} over the JDBC store on
 * H2: a key created with a bearer token authenticates {@code /v1/auth/verify}, and the pepper it is
 * hashed with survives restarts and key rotation, but is never replaced when it cannot be read.
 */
class ApiKeysApplicationTest {
    private static final Pattern KEY = Pattern.compile("\"key\":\"(lk_[0-9A-Za-z_]+)\"");

    @TempDir
    Path dir;

    private MockIdp idp;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void startIdp() {
        idp = MockIdp.start();
    }

    @AfterEach
    void stopIdp() {
        http.close();
        idp.close();
    }

    private LatchkeyConfig config() {
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
                    identity: { provisioning: jit }
                    apiKeys: { enabled: true }
                """.formatted(dir.resolve("latchkey").toString().replace('\\', '/'), idp.issuer("acme"));
        return new ConfigLoader(name -> Optional.empty()).loadText(yaml).orElseThrow();
    }

    private HttpResponse<String> send(HttpRequest request) throws Exception {
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private String createKey(Application app) throws Exception {
        String token = idp.issueToken("acme", "alice", "latchkey", Map.of("scope", "openid tokens:read"))
                .serialize();
        HttpResponse<String> created = send(HttpRequest.newBuilder(uri(app, "/v1/api-keys"))
                .header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofString("{\"scopes\":[\"tokens:read\"]}"))
                .build());
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        Matcher key = KEY.matcher(created.body());
        assertThat(key.find()).isTrue();
        return key.group(1);
    }

    private int verify(Application app, String key) throws Exception {
        return send(HttpRequest.newBuilder(uri(app, "/v1/auth/verify"))
                        .header("X-Api-Key", key)
                        .header("X-Tenant-Id", "acme")
                        .build())
                .statusCode();
    }

    private static URI uri(Application app, String path) {
        return URI.create("http://127.0.0.1:" + app.port() + path);
    }

    @Test
    void apiKey_survivesRestartRotationAndDisablingTheOldKey() throws Exception {
        Keyset keyset = Keyset.generate();
        String key;
        try (Application app = Application.start(config(), keyset, Clock.systemUTC())) {
            key = createKey(app);
            assertThat(verify(app, key)).isEqualTo(200);
        }
        try (Application app = Application.start(config(), keyset, Clock.systemUTC())) {
            assertThat(verify(app, key)).isEqualTo(200);
        }
        Keyset rotated = keyset.rotate();
        try (Application app = Application.start(config(), rotated, Clock.systemUTC())) {
            assertThat(verify(app, key)).isEqualTo(200);
        }
        // Read under the rotated keyset, the pepper was resealed: the old key is no longer needed.
        try (Application app = Application.start(config(), rotated.disable(keyset.primaryKeyId()), Clock.systemUTC())) {
            assertThat(verify(app, key)).isEqualTo(200);
        }
    }

    @Test
    void start_pepperSealedUnderAnotherKeyset_failsClearly_andKeepsThePepper() throws Exception {
        Keyset keyset = Keyset.generate();
        String key;
        try (Application app = Application.start(config(), keyset, Clock.systemUTC())) {
            key = createKey(app);
        }

        assertThatThrownBy(() -> Application.start(config(), Keyset.generate(), Clock.systemUTC()))
                .isInstanceOf(DeploymentSecretUnreadableException.class)
                .hasMessageContaining("api-key-pepper")
                .hasMessageContaining("cannot be decrypted");

        try (Application app = Application.start(config(), keyset, Clock.systemUTC())) {
            assertThat(verify(app, key)).isEqualTo(200);
        }
    }
}
