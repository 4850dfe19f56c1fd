package dev.latchkey.core.inbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import java.net.URI;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

class IssuerPolicyTest {

    private static IssuerPolicy.Builder valid() {
        return IssuerPolicy.forIssuer("https://idp-a.test").audience("latchkey-api");
    }

    @Test
    void build_symmetricOrUnsignedAlgorithm_rejected() {
        for (JWSAlgorithm algorithm :
                new JWSAlgorithm[] {JWSAlgorithm.HS256, JWSAlgorithm.HS512, JWSAlgorithm.parse("none")}) {
            assertThatThrownBy(() -> valid().algorithms(algorithm).build())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("algorithms");
        }
        assertThat(valid().algorithms(JWSAlgorithm.ES256, JWSAlgorithm.EdDSA)
                        .build()
                        .algorithms())
                .containsExactlyInAnyOrder(JWSAlgorithm.ES256, JWSAlgorithm.EdDSA);
    }

    @Test
    void build_missingAudienceOrExcessiveSkew_rejected() {
        assertThatThrownBy(() -> IssuerPolicy.forIssuer("https://idp-a.test").build())
                .hasMessageContaining("audiences");
        assertThatThrownBy(() -> valid().clockSkew(Duration.ofMinutes(6)).build())
                .hasMessageContaining("clockSkew");
        assertThatThrownBy(() -> valid().clockSkew(Duration.ofSeconds(-1)).build())
                .hasMessageContaining("clockSkew");
        assertThat(valid().clockSkew(Duration.ofMinutes(5)).build().clockSkew()).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void build_insecureUrls_rejectedUnlessLoopbackAllowed() {
        assertThatThrownBy(() -> IssuerPolicy.forIssuer("http://idp-a.test")
                        .audience("a")
                        .build())
                .hasMessageContaining("issuer");
        assertThatThrownBy(() -> IssuerPolicy.forIssuer("http://127.0.0.1:8080")
                        .audience("a")
                        .build())
                .hasMessageContaining("issuer");
        assertThatThrownBy(() -> IssuerPolicy.forIssuer("http://idp-a.test")
                        .audience("a")
                        .allowInsecureLoopback(true)
                        .build())
                .hasMessageContaining("issuer");
        assertThatThrownBy(() ->
                        valid().jwksUri(URI.create("http://idp-a.test/keys")).build())
                .hasMessageContaining("jwksUri");
        assertThatThrownBy(() -> valid().jwksUri(URI.create("https://user@idp-a.test/keys"))
                        .build())
                .hasMessageContaining("jwksUri");
        assertThatThrownBy(
                        () -> valid().jwksUri(URI.create("file:///etc/passwd")).build())
                .hasMessageContaining("jwksUri");
        assertThat(IssuerPolicy.forIssuer("http://127.0.0.1:8080/realm")
                        .audience("a")
                        .allowInsecureLoopback(true)
                        .build()
                        .permitsFetchFrom(URI.create("http://[::1]:9/keys")))
                .isTrue();
        assertThat(valid().build().permitsFetchFrom(URI.create("http://127.0.0.1/keys")))
                .isFalse();
    }

    @Test
    void build_templateWithoutAllowlist_rejected() {
        String template = "https://login.microsoftonline.com/{tenantid}/v2.0";
        assertThatThrownBy(() -> IssuerPolicy.forTemplate(template, Set.of())
                        .audience("a")
                        .build())
                .hasMessageContaining("directoryTenants");
        assertThatThrownBy(() -> IssuerPolicy.forTemplate(template, Set.of("../x"))
                        .audience("a")
                        .build())
                .hasMessageContaining("directoryTenants");
        assertThatThrownBy(() -> IssuerPolicy.forTemplate("https://a.test/{tenantid}/{tenantid}", Set.of("t"))
                        .audience("a")
                        .build())
                .hasMessageContaining("at most once");
        assertThatThrownBy(() -> IssuerPolicy.forTemplate("https://idp-a.test", Set.of("t"))
                        .audience("a")
                        .build())
                .hasMessageContaining("directoryTenants");
    }

    @Test
    void trustedIssuer_template_bindsTidExactly() {
        IssuerPolicy entra = IssuerPolicy.forTemplate(
                        "https://login.microsoftonline.com/{tenantid}/v2.0", Set.of("tid-1"))
                .audience("a")
                .build();

        assertThat(entra.trustedIssuer("https://login.microsoftonline.com/tid-1/v2.0", "tid-1"))
                .contains("https://login.microsoftonline.com/tid-1/v2.0");
        assertThat(entra.trustedIssuer("https://login.microsoftonline.com/tid-2/v2.0", "tid-2"))
                .isEmpty();
        assertThat(entra.trustedIssuer("https://login.microsoftonline.com/tid-1/v2.0/", "tid-1"))
                .isEmpty();
        assertThat(entra.trustedIssuer("https://login.microsoftonline.com/tid-1/v2.0", null))
                .isEmpty();
    }

    @Test
    void settings_impossibleCombinations_rejectedNamingTheOption() {
        assertThatThrownBy(() -> new ValidatorSettings(
                        Duration.ofSeconds(10),
                        Duration.ofSeconds(30),
                        Duration.ofHours(1),
                        Duration.ofSeconds(5),
                        65536,
                        10,
                        Duration.ofMinutes(1)))
                .hasMessageContaining("refetchCooldown");
        assertThatThrownBy(() -> new ValidatorSettings(
                        Duration.ofMinutes(5),
                        Duration.ofSeconds(30),
                        Duration.ofMinutes(5),
                        Duration.ofSeconds(5),
                        65536,
                        10,
                        Duration.ofMinutes(1)))
                .hasMessageContaining("outageTolerance");
    }
}
