package dev.latchkey.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.latchkey.app.config.ConfigLoader;
import dev.latchkey.app.config.LatchkeyConfig;
import dev.latchkey.core.crypto.Keyset;
import dev.latchkey.testkit.MockIdp;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * C2-07 against the wired application: group sync yields Latchkey roles only through the tenant's
 * own {@code identity.roleMapping}. The same admin-looking groups claim gets {@code admin} in the
 * tenant that maps it and nothing in the tenant that does not, on {@code /v1/me} and on {@code
 * /v1/auth/verify}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RoleMappingApplicationTest {
    private static final Map<String, Object> ADMIN_LOOKING =
            Map.of("scope", "openid", "groups", List.of("latchkey-admins", "eng"), "roles", List.of("admin"));

    private MockIdp idp;
    private Application app;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        idp = MockIdp.start();
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
                      roleMapping:
                        latchkey-admins: [admin, auditor]
                  globex:
                    issuers:
                      - issuer: %s
                        audiences: [latchkey]
                    identity: { provisioning: jit }
                """.formatted(
                dir.resolve("latchkey").toString().replace('\\', '/'), idp.issuer("acme"), idp.issuer("globex"));
        LatchkeyConfig config =
                new ConfigLoader(name -> Optional.empty()).loadText(yaml).orElseThrow();
        app = Application.start(config, Keyset.generate(), Clock.systemUTC());
    }

    @AfterAll
    void stop() {
        app.close();
        http.close();
        idp.close();
    }

    private HttpResponse<String> get(String path, String issuerId, String subject) throws Exception {
        String token =
                idp.issueToken(issuerId, subject, "latchkey", ADMIN_LOOKING).serialize();
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path))
                        .header("Authorization", "Bearer " + token)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void tenantWithMapping_rolesOnMeAndVerify() throws Exception {
        HttpResponse<String> me = get("/v1/me", "acme", "alice");
        HttpResponse<String> verify = get("/v1/auth/verify", "acme", "alice");

        assertThat(me.statusCode()).as(me.body()).isEqualTo(200);
        assertThat(me.body()).contains("\"tenant\":\"acme\"").contains("\"roles\":[\"admin\",\"auditor\"]");
        assertThat(verify.statusCode()).isEqualTo(200);
        assertThat(verify.headers().firstValue("X-Latchkey-Roles")).hasValue("admin,auditor");
    }

    @Test
    void tenantWithoutMapping_sameClaims_noRoles() throws Exception {
        HttpResponse<String> me = get("/v1/me", "globex", "alice");
        HttpResponse<String> verify = get("/v1/auth/verify", "globex", "alice");

        assertThat(me.statusCode()).as(me.body()).isEqualTo(200);
        assertThat(me.body())
                .contains("\"tenant\":\"globex\"")
                .contains("\"groups\":[\"eng\",\"latchkey-admins\"]")
                .contains("\"roles\":[]");
        assertThat(verify.headers().firstValue("X-Latchkey-Groups")).hasValue("eng,latchkey-admins");
        assertThat(verify.headers().firstValue("X-Latchkey-Roles")).hasValue("");
    }
}
