package dev.latchkey.app.config;

import static dev.latchkey.app.config.ConfigFixtures.FULL;
import static dev.latchkey.app.config.ConfigFixtures.MINIMAL;
import static dev.latchkey.app.config.ConfigFixtures.loader;
import static dev.latchkey.app.config.ConfigFixtures.problems;
import static dev.latchkey.app.config.ConfigFixtures.valid;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.latchkey.core.grant.ResourceName;
import dev.latchkey.core.secret.Secret;
import dev.latchkey.core.tenant.TenantId;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    @Test
    void loadText_fullConfig_bindsEveryKey() {
        LoadResult result = loader().loadText(FULL);
        LatchkeyConfig config = valid(result);

        assertThat(result.warnings()).isEmpty();
        assertThat(config.server())
                .isEqualTo(new ServerConfig(
                        "0.0.0.0",
                        9443,
                        URI.create("https://auth.example.com/latchkey"),
                        Duration.ofMillis(1500),
                        true));
        assertThat(config.database().url()).isEqualTo("jdbc:postgresql://127.0.0.1:5432/latchkey");
        assertThat(config.database().engine()).isEqualTo(DatabaseConfig.Engine.POSTGRESQL);
        assertThat(config.database().user()).contains("latchkey");
        assertThat(config.database().password()).contains(Secret.of(ConfigFixtures.DB_PASSWORD));
        assertThat(config.database().poolSize()).isEqualTo(25);
        assertThat(config.keys().keyset())
                .isEqualTo(new KeysetSource.FromFile(Path.of("/var/lib/latchkey/keyset.json")));
        assertThat(config.development()).isEqualTo(new DevelopmentConfig(false, false));
        assertThat(config.logging().level()).isEqualTo(LoggingConfig.Level.DEBUG);
        assertThat(config.refresh())
                .isEqualTo(new RefreshConfig(
                        Duration.ofSeconds(15), false, Duration.ofMinutes(10), Duration.ofHours(12), 50, 8));

        TenantConfig acme = config.tenant(TenantId.of("acme")).orElseThrow();
        assertThat(acme.issuers())
                .containsExactly(new IssuerConfig(
                        URI.create("https://idp.example.com/realms/acme"),
                        Optional.of(URI.create("https://idp.example.com/realms/acme/certs")),
                        List.of("latchkey", "latchkey-api"),
                        List.of("remote_agent"),
                        List.of(SigningAlgorithm.ES256, SigningAlgorithm.EdDSA),
                        Duration.ofMinutes(5)));
        assertThat(acme.identity())
                .isEqualTo(new IdentityConfig(
                        true,
                        IdentityConfig.Provisioning.JIT,
                        "roles",
                        Map.of(
                                "latchkey-admins",
                                List.of("admin", "auditor"),
                                "CN=ops,OU=groups",
                                List.of("operator"))));
        assertThat(acme.apiKeys()).isEqualTo(new ApiKeysConfig(true, 50));
        assertThat(acme.login())
                .contains(new LoginConfig(
                        URI.create("https://idp.example.com/realms/acme"),
                        "latchkey",
                        Optional.of(Secret.of(ConfigFixtures.ACME_SECRET)),
                        List.of("openid", "email")));
        assertThat(acme.cors().allowedOrigins())
                .containsExactly("https://admin.example.com", "https://chat.example.com:8443");
        assertThat(acme.services())
                .containsExactly(new ServiceConfig("chat-backend", "chat-backend", List.of("tokens:read", "proxy")));
        assertThat(acme.resources().keySet()).containsExactly(ResourceName.of("mcp"), ResourceName.of("graph"));
        assertThat(acme.resource(ResourceName.of("mcp")).orElseThrow().access())
                .isEqualTo(new AuthorizationConfig(
                        AuthorizationConfig.Discovery.STATIC,
                        false,
                        List.of("repo"),
                        Optional.of(URI.create("https://as.example.com/authorize")),
                        Optional.of(URI.create("https://as.example.com/token")),
                        Optional.of("latchkey-mcp"),
                        Optional.of(Secret.of(ConfigFixtures.JIRA_SECRET))));
        assertThat(acme.resource(ResourceName.of("graph")).orElseThrow())
                .isEqualTo(new ResourceConfig(
                        ResourceName.of("graph"),
                        URI.create("https://graph.example.com"),
                        new ExchangeConfig(
                                ExchangeConfig.Type.OBO,
                                List.of("https://graph.example.com/.default"),
                                Optional.of("https://graph.example.com"))));
    }

    @Test
    void loadText_minimalConfig_fillsDocumentedDefaults() {
        LatchkeyConfig config = valid(loader(Map.of()).loadText(MINIMAL));

        assertThat(config.server())
                .isEqualTo(new ServerConfig(
                        "127.0.0.1", 8080, URI.create("http://127.0.0.1:8080"), Duration.ofSeconds(10)));
        assertThat(config.database())
                .isEqualTo(new DatabaseConfig("jdbc:h2:file:./data/latchkey", Optional.empty(), Optional.empty(), 10));
        assertThat(config.database().engine()).isEqualTo(DatabaseConfig.Engine.H2);
        assertThat(config.keys().keyset()).isEqualTo(new KeysetSource.FromFile(Path.of("./data/keyset.json")));
        assertThat(config.development()).isEqualTo(new DevelopmentConfig(false, false));
        assertThat(config.logging().level()).isEqualTo(LoggingConfig.Level.INFO);
        assertThat(config.refresh())
                .isEqualTo(new RefreshConfig(
                        Duration.ofSeconds(10), true, Duration.ofMinutes(5), Duration.ofHours(24), 20, 4));
        assertThat(config.refresh()).isEqualTo(RefreshConfig.defaults());
        TenantConfig acme = config.tenant(TenantId.of("acme")).orElseThrow();
        assertThat(acme.issuers().getFirst().algorithms())
                .containsExactly(SigningAlgorithm.RS256, SigningAlgorithm.ES256, SigningAlgorithm.PS256);
        assertThat(acme.issuers().getFirst().clockSkew()).isEqualTo(Duration.ofSeconds(60));
        assertThat(acme.issuers().getFirst().requiredScopes()).isEmpty();
        assertThat(acme.issuers().getFirst().jwksUri()).isEmpty();
        assertThat(acme.identity()).isEqualTo(new IdentityConfig(false, IdentityConfig.Provisioning.OFF, "groups"));
        assertThat(acme.identity().roleMapping()).isEmpty();
        assertThat(acme.apiKeys()).isEqualTo(new ApiKeysConfig(false, 20));
        assertThat(config.server().trustForwardedFor()).isFalse();
        assertThat(acme.login()).isEmpty();
        assertThat(acme.cors().allowedOrigins()).isEmpty();
        assertThat(acme.services()).isEmpty();
        assertThat(acme.resources()).isEmpty();
    }

    @Test
    void loadText_loginWithoutScopes_requestsOpenidProfileEmail() {
        LatchkeyConfig config = valid(loader(Map.of("S", "x")).loadText(ConfigFixtures.minimalWith("""
                login: { issuer: https://idp.example.com/realms/acme, clientId: latchkey, clientSecret: "${S}" }
                """)));

        assertThat(config.tenant(TenantId.of("acme"))
                        .orElseThrow()
                        .login()
                        .orElseThrow()
                        .scopes())
                .containsExactly("openid", "profile", "email");
    }

    @Test
    void loadText_keysetFromEnvironment_readsTheVariable() {
        LatchkeyConfig config = valid(
                loader(Map.of("KS", "{\"primaryKeyId\":1}")).loadText("keys: { keyset: \"env:KS\" }\n" + MINIMAL));

        assertThat(config.keys().keyset())
                .isEqualTo(new KeysetSource.FromEnvironment("KS", Secret.of("{\"primaryKeyId\":1}")));
    }

    @Test
    void loadText_environmentOverrides_replaceFileValues() {
        Map<String, String> environment = Map.of(
                "ACME_SECRET",
                "a",
                "JIRA_SECRET",
                "j",
                "DB_PASSWORD",
                "d",
                "LATCHKEY_SERVER_PORT",
                "9090",
                "LATCHKEY_SERVER_HOST",
                "10.0.0.5",
                "LATCHKEY_DATABASE_URL",
                "jdbc:h2:mem:override",
                "LATCHKEY_DATABASE_USER",
                "other",
                "LATCHKEY_DATABASE_PASSWORD",
                "from-env",
                "LATCHKEY_KEYSET",
                "env:KEYSET_JSON",
                "KEYSET_JSON",
                "{}");

        LoadResult result = loader(environment).loadText(FULL);
        LatchkeyConfig config = valid(result);

        assertThat(config.server().port()).isEqualTo(9090);
        assertThat(config.server().host()).isEqualTo("10.0.0.5");
        assertThat(config.database().url()).isEqualTo("jdbc:h2:mem:override");
        assertThat(config.database().user()).contains("other");
        assertThat(config.database().password()).contains(Secret.of("from-env"));
        assertThat(config.keys().keyset()).isEqualTo(new KeysetSource.FromEnvironment("KEYSET_JSON", Secret.of("{}")));
        assertThat(result.warnings()).isEmpty();
    }

    @Test
    void loadText_overrideOnAbsentSection_createsIt() {
        LatchkeyConfig config =
                valid(loader(Map.of("LATCHKEY_SERVER_PORT", "0")).loadText(MINIMAL));

        assertThat(config.server().port()).isZero();
        assertThat(config.server().host()).isEqualTo("127.0.0.1");
    }

    @Test
    void loadText_invalidOverride_isReportedAtTheKeyItOverrides() {
        LoadResult result = loader(Map.of(
                        "LATCHKEY_SERVER_PORT", "eighty",
                        "LATCHKEY_DATABASE_URL", "jdbc:mysql://db/latchkey",
                        "LATCHKEY_KEYSET", "vault:secret/keyset"))
                .loadText(MINIMAL);

        assertThat(problems(result))
                .containsExactly(
                        new ConfigProblem("server.port", "expected a whole number, got text"),
                        new ConfigProblem("database.url", "must be a jdbc:h2: or jdbc:postgresql: URL"),
                        new ConfigProblem("keys.keyset", "must be file:<path> or env:<VARIABLE>"));
    }

    @Test
    void loadText_quotedNumberWrittenInFile_isRejected() {
        assertThat(problems(loader().loadText("server: { port: \"8080\" }\n" + MINIMAL)))
                .containsExactly(new ConfigProblem("server.port", "expected a whole number, got text"));
    }

    @Test
    void load_exampleFile_isValid() {
        Path example = Path.of("..", "examples", "latchkey.yaml");
        Map<String, String> environment = Map.of(
                "LATCHKEY_DB_PASSWORD", "pw",
                "LATCHKEY_KEYSET_JSON", "{\"primaryKeyId\":1,\"key\":[]}",
                "ACME_CLIENT_SECRET", "acme",
                "ACME_JIRA_CLIENT_SECRET", "jira",
                "ACME_GITHUB_CLIENT_SECRET", "github",
                "GLOBEX_CLIENT_SECRET", "globex");

        LoadResult result = loader(environment).load(example);
        LatchkeyConfig config = valid(result);

        assertThat(result.warnings()).isEmpty();
        assertThat(config.tenants().keySet()).containsExactly(TenantId.of("acme"), TenantId.of("globex"));
        assertThat(config.database().engine()).isEqualTo(DatabaseConfig.Engine.POSTGRESQL);
        assertThat(config.server().port()).isEqualTo(8080);
    }

    @Test
    void load_exampleFileWithoutItsEnvironment_namesEveryMissingVariable() {
        LoadResult result = loader(Map.of()).load(Path.of("..", "examples", "latchkey.yaml"));

        assertThat(problems(result))
                .extracting(ConfigProblem::message)
                .contains(
                        "environment variable LATCHKEY_DB_PASSWORD is not set",
                        "environment variable LATCHKEY_KEYSET_JSON is not set",
                        "environment variable ACME_CLIENT_SECRET is not set",
                        "environment variable ACME_JIRA_CLIENT_SECRET is not set",
                        "environment variable GLOBEX_CLIENT_SECRET is not set");
    }

    @Test
    void load_missingFile_isAProblemNotAnException(@TempDir Path directory) {
        Path missing = directory.resolve("latchkey.yaml");

        assertThat(problems(loader().load(missing)))
                .containsExactly(new ConfigProblem("", "configuration file " + missing + " does not exist"));
    }

    @Test
    void load_file_readsIt(@TempDir Path directory) throws Exception {
        Path file = directory.resolve("latchkey.yaml");
        Files.writeString(file, MINIMAL, StandardCharsets.UTF_8);

        assertThat(valid(loader().load(file)).tenants()).containsOnlyKeys(TenantId.of("acme"));
    }

    @Test
    void defaultConfigFile_followsLatchkeyConfigElseWorkingDirectory() {
        assertThat(ConfigLoader.defaultConfigFile(name -> Optional.empty())).isEqualTo(Path.of("latchkey.yaml"));
        assertThat(ConfigLoader.defaultConfigFile(name -> Optional.of(" "))).isEqualTo(Path.of("latchkey.yaml"));
        assertThat(ConfigLoader.defaultConfigFile(
                        name -> name.equals("LATCHKEY_CONFIG") ? Optional.of("/etc/latchkey.yaml") : Optional.empty()))
                .isEqualTo(Path.of("/etc/latchkey.yaml"));
    }

    @Test
    void orElseThrow_invalid_listsEveryProblem() {
        LoadResult result = loader().loadText("server: { port: -1 }\n");

        assertThatThrownBy(result::orElseThrow)
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("server.port: must be between 0 and 65535")
                .hasMessageContaining("tenants: is required");
    }

    @Test
    void loadText_developmentSwitches_areWarnedAbout() {
        LoadResult result =
                loader().loadText("development: { allowInsecureHttp: true, generateKeyset: true }\n" + MINIMAL);

        valid(result);
        assertThat(result.warnings())
                .extracting(ConfigProblem::path)
                .containsExactly("development.allowInsecureHttp", "development.generateKeyset");
    }

    @Test
    void loadText_publicUrlHttpOnRemoteHost_isWarnedAbout() {
        LoadResult result = loader().loadText("server: { publicUrl: http://auth.example.com }\n" + MINIMAL);

        valid(result);
        assertThat(result.warnings()).extracting(ConfigProblem::path).containsExactly("server.publicUrl");
    }

    @Test
    void loadText_twoTenantsTrustingOneIssuer_isWarnedAbout() {
        String yaml = MINIMAL + """
                  beta:
                    issuers:
                      - issuer: https://idp.example.com/realms/acme
                        audiences: [beta]
                """;

        LoadResult result = loader().loadText(yaml);

        valid(result);
        assertThat(result.warnings())
                .containsExactly(new ConfigProblem(
                        "tenants.beta.issuers[0].issuer",
                        "tenant acme trusts the same issuer; requests with its tokens must name their tenant in"
                                + " X-Tenant-Id"));
    }
}
