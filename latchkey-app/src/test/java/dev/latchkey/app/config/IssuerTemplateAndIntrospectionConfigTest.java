package dev.latchkey.app.config;

import static dev.latchkey.app.config.ConfigFixtures.loader;
import static dev.latchkey.app.config.ConfigFixtures.problems;
import static dev.latchkey.app.config.ConfigFixtures.valid;
import static org.assertj.core.api.Assertions.assertThat;

import dev.latchkey.core.secret.Secret;
import dev.latchkey.core.tenant.TenantId;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The issuer keys for Entra multi-tenant templates ({@code {tenantid}} with {@code allowedTenants})
 * and for RFC 7662 introspection of opaque tokens: what is accepted, what is refused and where.
 */
class IssuerTemplateAndIntrospectionConfigTest {
    private static final String ISSUER = "tenants.acme.issuers[0].";
    private static final String CONTOSO = "72f988bf-86f1-41af-91ab-2d7cd011db47";
    private static final String FABRIKAM = "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0";
    private static final String INTROSPECTION_SECRET = "intr0spection-s3cret-77";

    private static String tenantWithIssuer(String issuerYaml) {
        return "tenants:\n  acme:\n    issuers:\n"
                + ("- " + issuerYaml.strip().indent(2).strip()).indent(6);
    }

    private static IssuerConfig onlyIssuer(LatchkeyConfig config) {
        return config.tenant(TenantId.of("acme")).orElseThrow().issuers().getFirst();
    }

    private static List<ConfigProblem> problemsOf(String yaml) {
        return problems(
                loader(Map.of("INTROSPECTION_SECRET", INTROSPECTION_SECRET)).loadText(yaml));
    }

    private static LatchkeyConfig validOf(String yaml) {
        return valid(
                loader(Map.of("INTROSPECTION_SECRET", INTROSPECTION_SECRET)).loadText(yaml));
    }

    @Test
    void entraTemplate_withAllowedTenants_isKeptAsTemplateWithLowerCasedGuids() {
        IssuerConfig issuer = onlyIssuer(
                validOf(tenantWithIssuer("""
                issuer: https://login.microsoftonline.com/{tenantid}/v2.0
                jwksUri: https://login.microsoftonline.com/common/discovery/v2.0/keys
                allowedTenants: [%s, "%s"]
                audiences: [api://latchkey]
                """.formatted(CONTOSO.toUpperCase(java.util.Locale.ROOT), FABRIKAM))));

        assertThat(issuer.issuer()).isEqualTo("https://login.microsoftonline.com/{tenantid}/v2.0");
        assertThat(issuer.isTemplate()).isTrue();
        assertThat(issuer.allowedTenants()).containsExactly(CONTOSO, FABRIKAM);
        assertThat(issuer.jwksUri())
                .contains(URI.create("https://login.microsoftonline.com/common/discovery/v2.0/keys"));
    }

    @Test
    void entraTemplate_withoutAllowedTenants_isRefusedNeverAnyTenant() {
        assertThat(problemsOf(tenantWithIssuer("""
                        issuer: https://login.microsoftonline.com/{tenantid}/v2.0
                        audiences: [api://latchkey]
                        """)))
                .containsExactly(new ConfigProblem(
                        ISSUER + "allowedTenants",
                        "is required with {tenantid} in the issuer: list the directory (tenant) ids whose tokens"
                                + " are accepted (without it any Entra tenant would be)"));
        assertThat(problemsOf(tenantWithIssuer("""
                        issuer: https://login.microsoftonline.com/{tenantid}/v2.0
                        allowedTenants: []
                        audiences: [api://latchkey]
                        """)))
                .containsExactly(new ConfigProblem(ISSUER + "allowedTenants", "must list at least one value"));
    }

    @Test
    void allowedTenants_thatAreNotGuids_areRefusedEachAtItsPath() {
        assertThat(problemsOf(tenantWithIssuer("""
                        issuer: https://login.microsoftonline.com/{tenantid}/v2.0
                        allowedTenants: [common, %s, "72f988bf-86f1-41af-91ab-2d7cd011db4"]
                        audiences: [api://latchkey]
                        """.formatted(CONTOSO))))
                .extracting(ConfigProblem::path)
                .containsExactly(ISSUER + "allowedTenants[0]", ISSUER + "allowedTenants[2]");
    }

    @Test
    void allowedTenants_withAnExactIssuer_isRefused() {
        assertThat(problemsOf(tenantWithIssuer("""
                        issuer: https://login.microsoftonline.com/%s/v2.0
                        allowedTenants: [%s]
                        audiences: [api://latchkey]
                        """.formatted(CONTOSO, CONTOSO))))
                .containsExactly(new ConfigProblem(
                        ISSUER + "allowedTenants", "applies only to an issuer containing {tenantid}"));
    }

    @Test
    void issuer_withOtherOrRepeatedPlaceholders_isRefused() {
        String onlyTenantId = "the only placeholder allowed is {tenantid}, once (an Entra multi-tenant issuer such as"
                + " https://login.microsoftonline.com/{tenantid}/v2.0)";
        for (String issuer : List.of(
                "https://login.microsoftonline.com/{tenant}/v2.0",
                "https://login.microsoftonline.com/{tenantid}/{tenantid}/v2.0",
                "https://login.microsoftonline.com/{tenantid}/v2.0/{x}",
                "https://login.microsoftonline.com/tenantid}/v2.0")) {
            assertThat(problemsOf(tenantWithIssuer("""
                            issuer: "%s"
                            allowedTenants: [%s]
                            audiences: [api://latchkey]
                            """.formatted(issuer, CONTOSO))))
                    .as(issuer)
                    .contains(new ConfigProblem(ISSUER + "issuer", onlyTenantId));
        }
    }

    @Test
    void issuer_withPlaceholderInTheHost_isRefused() {
        assertThat(problemsOf(tenantWithIssuer("""
                        issuer: "https://{tenantid}.example.com/v2.0"
                        allowedTenants: [%s]
                        audiences: [api://latchkey]
                        """.formatted(CONTOSO))))
                .containsExactly(new ConfigProblem(
                        ISSUER + "issuer", "{tenantid} must be in the path of the issuer, not in its host"));
    }

    @Test
    void issuerTemplate_overPlainHttp_isRefusedLikeAnyIssuer() {
        assertThat(problemsOf(tenantWithIssuer("""
                        issuer: "http://login.example.com/{tenantid}/v2.0"
                        allowedTenants: [%s]
                        audiences: [api://latchkey]
                        """.formatted(CONTOSO))))
                .containsExactly(new ConfigProblem(
                        ISSUER + "issuer",
                        "must use https (set development.allowInsecureHttp: true to allow http on loopback hosts)"));
    }

    @Test
    void introspection_isReadWithItsSecret() {
        IssuerConfig issuer = onlyIssuer(validOf(tenantWithIssuer("""
                issuer: https://idp.example.com
                audiences: [latchkey]
                introspection:
                  endpoint: https://idp.example.com/oauth2/introspect
                  clientId: latchkey-rs
                  clientSecret: ${INTROSPECTION_SECRET}
                """)));

        assertThat(issuer.introspection())
                .contains(new IntrospectionConfig(
                        URI.create("https://idp.example.com/oauth2/introspect"),
                        "latchkey-rs",
                        Secret.of(INTROSPECTION_SECRET)));
    }

    @Test
    void introspection_brokenRules_reportedAtTheirKeys() {
        assertThat(problemsOf(tenantWithIssuer("""
                        issuer: https://idp.example.com
                        audiences: [latchkey]
                        introspection:
                          endpoint: http://idp.example.com/introspect
                          clientId: latchkey-rs
                          tokenTypeHint: access_token
                        """)))
                .containsExactlyInAnyOrder(
                        new ConfigProblem(
                                ISSUER + "introspection.tokenTypeHint",
                                "unknown key 'tokenTypeHint'; allowed keys here: endpoint, clientId, clientSecret"),
                        new ConfigProblem(
                                ISSUER + "introspection.endpoint",
                                "must use https (set development.allowInsecureHttp: true to allow http on loopback"
                                        + " hosts)"),
                        new ConfigProblem(
                                ISSUER + "introspection.clientSecret",
                                "is required: the introspection endpoint is called with client_secret_basic"));
    }

    @Test
    void introspection_ofATemplate_isRefused() {
        assertThat(problemsOf(tenantWithIssuer("""
                        issuer: https://login.microsoftonline.com/{tenantid}/v2.0
                        allowedTenants: [%s]
                        audiences: [api://latchkey]
                        introspection:
                          endpoint: https://login.example.com/introspect
                          clientId: latchkey-rs
                          clientSecret: ${INTROSPECTION_SECRET}
                        """.formatted(CONTOSO))))
                .containsExactly(new ConfigProblem(
                        ISSUER + "introspection", "applies only to an exact issuer, not to one with {tenantid}"));
    }

    @Test
    void introspection_overLoopbackHttpInDevelopment_isAccepted() {
        String yaml = "development: { allowInsecureHttp: true }\n" + tenantWithIssuer("""
                        issuer: http://127.0.0.1:8081/realms/acme
                        audiences: [latchkey]
                        introspection:
                          endpoint: http://127.0.0.1:8081/realms/acme/introspect
                          clientId: latchkey-rs
                          clientSecret: ${INTROSPECTION_SECRET}
                        """);

        assertThat(onlyIssuer(validOf(yaml)).introspection().map(IntrospectionConfig::endpoint))
                .contains(URI.create("http://127.0.0.1:8081/realms/acme/introspect"));
    }

    @Test
    void describe_printsTemplateTenantsAndIntrospectionWithTheSecretMasked_andReloads() {
        LatchkeyConfig config = validOf(tenantWithIssuer("""
                        issuer: https://login.microsoftonline.com/{tenantid}/v2.0
                        allowedTenants: [%s]
                        audiences: [api://latchkey]
                        """.formatted(CONTOSO))
                + tenantWithIssuer("""
                        issuer: https://idp.example.com
                        audiences: [latchkey]
                        introspection:
                          endpoint: https://idp.example.com/introspect
                          clientId: latchkey-rs
                          clientSecret: ${INTROSPECTION_SECRET}
                        """).replace("tenants:\n  acme:", "  other:"));

        String described = config.describe();

        assertThat(described)
                .contains("issuer: \"https://login.microsoftonline.com/{tenantid}/v2.0\"", "- " + CONTOSO)
                .contains("endpoint: https://idp.example.com/introspect", "clientSecret: '" + ConfigPrinter.MASK + "'")
                .doesNotContain(INTROSPECTION_SECRET);
        LatchkeyConfig reloaded = validOf(described);
        assertThat(reloaded.describe()).isEqualTo(described);
        assertThat(onlyIssuer(reloaded)).isEqualTo(onlyIssuer(config));
        assertThat(reloaded.tenant(TenantId.of("other"))
                        .orElseThrow()
                        .issuers()
                        .getFirst()
                        .introspection())
                .map(IntrospectionConfig::clientId)
                .isEqualTo(Optional.of("latchkey-rs"));
    }
}
