package dev.latchkey.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.SignedJWT;
import dev.latchkey.app.config.ConfigLoader;
import dev.latchkey.app.config.LatchkeyConfig;
import dev.latchkey.core.crypto.Keyset;
import dev.latchkey.testkit.MockIdp;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The wired application, configured from YAML, answering {@code /v1/auth/verify} for an Entra-style
 * multi-tenant issuer template and for opaque tokens introspected at mock-oauth2-server's real
 * introspection endpoint.
 *
 * <p>Template: tenant {@code acme} trusts {@code <idp>/{tenantid}} for two allowed directory tenants;
 * mock-oauth2-server plays Entra with one issuer per directory tenant (the issuer id is the GUID),
 * keys found by discovery of the bound issuer.
 *
 * <p>Introspection: tenant {@code beta} introspects at the endpoint its issuer publishes; tenant
 * {@code gamma} at a port where nothing listens. The mock's endpoint recognises only its own JWTs,
 * so the "opaque" token is one of them with a {@code ~} in its signature segment: not a JWT to
 * Latchkey (an RFC 6750 b64token of another shape), still the mock's token to the mock's lenient
 * parser (see {@code IntrospectionTest} in core).
 */
class InboundIssuersApplicationTest {
    private static final String ALLOWED = "72f988bf-86f1-41af-91ab-2d7cd011db47";
    private static final String ALSO_ALLOWED = "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0";
    private static final String NOT_ALLOWED = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d";

    @TempDir
    Path dir;

    private MockIdp idp;
    private Application app;
    private ApiCalls api;

    @BeforeEach
    void start() throws Exception {
        idp = MockIdp.start();
        app = Application.start(config(), Keyset.generate(), Clock.systemUTC());
        api = new ApiCalls(app::port);
    }

    @AfterEach
    void stop() {
        api.close();
        app.close();
        idp.close();
    }

    private LatchkeyConfig config() throws Exception {
        String yaml = """
                server: { host: 127.0.0.1, port: 0, publicUrl: "http://127.0.0.1:8080" }
                database: { url: "jdbc:h2:file:%s" }
                keys: { keyset: "file:./keyset.json" }
                development: { allowInsecureHttp: true }
                tenants:
                  acme:
                    issuers:
                      - issuer: "%s{tenantid}"
                        allowedTenants: [%s, %s]
                        audiences: [latchkey]
                    identity: { provisioning: jit }
                  beta:
                    issuers:
                      - issuer: %s
                        audiences: [latchkey]
                        introspection:
                          endpoint: %s
                          clientId: latchkey-rs
                          clientSecret: ${BETA_INTROSPECTION_SECRET}
                    identity: { provisioning: jit }
                  gamma:
                    issuers:
                      - issuer: %s
                        audiences: [latchkey]
                        introspection:
                          endpoint: http://127.0.0.1:%d/introspect
                          clientId: latchkey-rs
                          clientSecret: ${BETA_INTROSPECTION_SECRET}
                    identity: { provisioning: jit }
                """.formatted(
                        dir.resolve("latchkey").toString().replace('\\', '/'),
                        idp.baseUri(),
                        ALLOWED,
                        ALSO_ALLOWED.toUpperCase(java.util.Locale.ROOT),
                        idp.issuer("beta"),
                        publishedIntrospectionEndpoint("beta"),
                        idp.issuer("gamma"),
                        closedPort());
        Map<String, String> environment = new HashMap<>(Map.of("BETA_INTROSPECTION_SECRET", "b3ta-intr0spection"));
        return new ConfigLoader(name -> Optional.ofNullable(environment.get(name)))
                .loadText(yaml)
                .orElseThrow();
    }

    private String publishedIntrospectionEndpoint(String issuerId) throws Exception {
        try (ApiCalls discovery = new ApiCalls(() -> 0)) {
            String document = discovery
                    .send(HttpRequest.newBuilder(idp.discoveryUri(issuerId)).build())
                    .body();
            return JSONObjectUtils.getString(JSONObjectUtils.parse(document), "introspection_endpoint");
        }
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /**
     * A token of the directory tenant {@code issuerTenant}'s issuer with {@code tid}. The mock adds
     * {@code tid} = issuer id by default; a null value removes the claim altogether.
     */
    private String entraToken(String issuerTenant, @Nullable String tid) throws ParseException {
        Map<String, @Nullable Object> claims = new HashMap<>();
        claims.put("tid", tid);
        // A null claim value is how the mock's callback is told to drop its default tid.
        @SuppressWarnings("NullAway")
        SignedJWT token = idp.issueToken(issuerTenant, "alice", "latchkey", claims);
        assertThat(token.getJWTClaimsSet().getClaim("tid")).isEqualTo(tid);
        return token.serialize();
    }

    private static String opaque(String jwt) {
        int signature = jwt.lastIndexOf('.') + 1;
        return jwt.substring(0, signature) + "~" + jwt.substring(signature);
    }

    private HttpResponse<String> verify(String token, @Nullable String tenant) throws Exception {
        HttpRequest.Builder request = api.request("/v1/auth/verify", token);
        if (tenant != null) {
            request.header("X-Tenant-Id", tenant);
        }
        return api.send(request.build());
    }

    private static void assertInvalidToken(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(401);
        assertThat(response.headers().firstValue("WWW-Authenticate"))
                .hasValueSatisfying(challenge -> assertThat(challenge).contains("error=\"invalid_token\""));
    }

    @Test
    void verify_entraTemplate_allowedTidWithItsOwnIssuerPasses() throws Exception {
        HttpResponse<String> first = verify(entraToken(ALLOWED, ALLOWED), null);
        // Configured in upper case, matched as Entra writes it (lower case).
        HttpResponse<String> second = verify(entraToken(ALSO_ALLOWED, ALSO_ALLOWED), null);

        assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
        assertThat(first.headers().firstValue("X-Latchkey-Tenant")).contains("acme");
        assertThat(second.statusCode()).as(second.body()).isEqualTo(200);
    }

    @Test
    void verify_entraTemplate_tidNotAllowedMismatchedOrMissing_invalidToken() throws Exception {
        assertInvalidToken(verify(entraToken(NOT_ALLOWED, NOT_ALLOWED), null));
        assertInvalidToken(verify(entraToken(ALLOWED, ALSO_ALLOWED), null));
        assertInvalidToken(verify(entraToken(ALSO_ALLOWED, ALLOWED), "acme"));
        assertInvalidToken(verify(entraToken(ALLOWED, null), "acme"));
    }

    @Test
    void verify_opaqueTokenTheIssuerVouchesFor_passesWithIdentityHeaders() throws Exception {
        String token = opaque(idp.issueToken("beta", "bob", "latchkey", Map.of("scope", "tokens:read"))
                .serialize());

        HttpResponse<String> response = verify(token, "beta");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("X-Latchkey-Tenant")).contains("beta");
        assertThat(response.headers().firstValue("X-Latchkey-Scopes"))
                .hasValueSatisfying(scopes -> assertThat(scopes).contains("tokens:read"));
        // Counted by issuer, never by token; the second use is served from the cache.
        assertThat(verify(token, "beta").statusCode()).isEqualTo(200);
        assertThat(api.get("/metrics", null).body())
                .contains("latchkey_inbound_introspections_total{issuer=\"" + idp.issuer("beta") + "\"} 1.0")
                .doesNotContain(token);
    }

    @Test
    void verify_opaqueTokenTheIssuerDoesNotKnow_invalidToken() throws Exception {
        assertInvalidToken(verify("2YotnFZFEjr1zCsicMWpAA", "beta"));
    }

    @Test
    void verify_opaqueTokenWithoutTenantWhileTwoTenantsIntrospect_invalidTokenNamingTheHeader() throws Exception {
        HttpResponse<String> response = verify("2YotnFZFEjr1zCsicMWpAA", null);

        assertInvalidToken(response);
        assertThat(response.body()).contains("name the tenant");
    }

    @Test
    void verify_introspectionEndpointUnreachable_temporarilyUnavailableNot500() throws Exception {
        HttpResponse<String> response = verify("2YotnFZFEjr1zCsicMWpAA", "gamma");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(503);
        assertThat(response.body()).contains("temporarily_unavailable");
        assertThat(response.headers().firstValue("Retry-After")).isPresent();
    }
}
