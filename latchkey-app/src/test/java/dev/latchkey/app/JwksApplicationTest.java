package dev.latchkey.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.latchkey.app.config.ConfigLoader;
import dev.latchkey.app.config.LatchkeyConfig;
import dev.latchkey.core.crypto.Keyset;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /.well-known/jwks.json} publishes the public half of the deployment's ES256 signing key:
 * the same key after a restart and after a rotation of the encryption keyset, never a private part.
 */
class JwksApplicationTest {
    private static final Pattern KID = Pattern.compile("\"kid\":\"([^\"]+)\"");

    @TempDir
    Path dir;

    @Test
    void jwks_isPublicOnly_andStableAcrossRestartsAndKeysetRotation() throws Exception {
        Keyset keyset = Keyset.generate();
        String kid = kid(keyset);
        assertThat(kid(keyset)).isEqualTo(kid);
        assertThat(kid(keyset.rotate())).isEqualTo(kid);
    }

    private String kid(Keyset keyset) throws Exception {
        try (Application app = Application.start(config(), keyset, Clock.systemUTC());
                ApiCalls api = new ApiCalls(app::port)) {
            HttpResponse<String> jwks = api.get("/.well-known/jwks.json", null);
            assertThat(jwks.statusCode()).isEqualTo(200);
            assertThat(jwks.headers().firstValue("Content-Type"))
                    .hasValueSatisfying(type -> assertThat(type).startsWith("application/jwk-set+json"));
            assertThat(jwks.body()).contains("\"kty\":\"EC\"", "\"crv\":\"P-256\"", "\"alg\":\"ES256\"");
            assertThat(jwks.body()).doesNotContain("\"d\":");
            return ApiCalls.find(KID, jwks.body());
        }
    }

    private LatchkeyConfig config() {
        String yaml = """
                server: { host: 127.0.0.1, port: 0 }
                database: { url: "jdbc:h2:file:%s" }
                keys: { keyset: "file:./keyset.json" }
                tenants:
                  acme:
                    issuers: [ { issuer: "https://idp.example.com", audiences: [latchkey] } ]
                """.formatted(dir.resolve("latchkey").toString().replace('\\', '/'));
        return new ConfigLoader(name -> Optional.empty()).loadText(yaml).orElseThrow();
    }
}
