package dev.latchkey.app.config;

import static dev.latchkey.app.config.ConfigFixtures.ACME_SECRET;
import static dev.latchkey.app.config.ConfigFixtures.loader;
import static dev.latchkey.app.config.ConfigFixtures.minimalWith;
import static dev.latchkey.app.config.ConfigFixtures.problems;
import static dev.latchkey.app.config.ConfigFixtures.valid;
import static org.assertj.core.api.Assertions.assertThat;

import dev.latchkey.core.tenant.TenantId;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code identity.groupDirectory}: where Entra's groups overage is resolved. */
class GroupDirectoryConfigTest {
    private static final String PATH = "tenants.acme.identity.groupDirectory.";
    private static final String GRAPH = "https://graph.microsoft.com/v1.0/users/{oid}/getMemberObjects";
    private static final String TOKEN = "https://login.microsoftonline.com/t1/oauth2/v2.0/token";

    private static String directory(String endpoint, String tokenEndpoint) {
        return """
                identity:
                  groupDirectory:
                    endpoint: "%s"
                    tokenEndpoint: "%s"
                    clientId: latchkey-graph
                    clientSecret: ${ACME_SECRET}
                """.formatted(endpoint, tokenEndpoint);
    }

    @Test
    void graphDirectory_parsedWithDefaultScope() {
        LatchkeyConfig config = valid(loader().loadText(minimalWith(directory(GRAPH, TOKEN))));

        GroupDirectoryConfig directory = config.tenant(TenantId.of("acme"))
                .orElseThrow()
                .identity()
                .groupDirectory()
                .orElseThrow();
        assertThat(directory.endpoint()).isEqualTo(GRAPH);
        assertThat(directory.tokenEndpoint()).isEqualTo(URI.create(TOKEN));
        assertThat(directory.clientId()).isEqualTo("latchkey-graph");
        assertThat(directory.clientSecret().reveal()).isEqualTo(ACME_SECRET);
        assertThat(directory.scope()).isEqualTo("https://graph.microsoft.com/.default");
    }

    @Test
    void absent_none() {
        LatchkeyConfig config = valid(loader().loadText(minimalWith("identity: { provisioning: jit }")));

        assertThat(config.tenant(TenantId.of("acme")).orElseThrow().identity().groupDirectory())
                .isEmpty();
    }

    @Test
    void endpointWithoutObjectId_reported() {
        List<ConfigProblem> problems = problems(loader().loadText(
                        minimalWith(directory("https://graph.microsoft.com/v1.0/me/getMemberObjects", TOKEN))));

        assertThat(problems)
                .containsExactly(new ConfigProblem(
                        PATH + "endpoint", "must contain {oid}, which stands for the user's object id"));
    }

    @Test
    void httpWithoutDevelopmentFlag_reportedForBothEndpoints() {
        List<ConfigProblem> problems = problems(loader().loadText(minimalWith(
                directory("http://127.0.0.1:9000/users/{oid}/getMemberObjects", "http://127.0.0.1:9001/token"))));

        String https = "must use https (set development.allowInsecureHttp: true to allow http on loopback hosts)";
        assertThat(problems)
                .containsExactlyInAnyOrder(
                        new ConfigProblem(PATH + "endpoint", https), new ConfigProblem(PATH + "tokenEndpoint", https));
    }

    @Test
    void loopbackHttp_allowedWithDevelopmentFlag() {
        String yaml = "development: { allowInsecureHttp: true }\n"
                + minimalWith(
                        directory("http://127.0.0.1:9000/users/{oid}/getMemberObjects", "http://127.0.0.1:9001/token"));

        LatchkeyConfig config = valid(loader().loadText(yaml));

        assertThat(config.tenant(TenantId.of("acme")).orElseThrow().identity().groupDirectory())
                .isPresent();
    }

    @Test
    void httpOnNonLoopbackHost_reportedEvenWithDevelopmentFlag() {
        String yaml = "development: { allowInsecureHttp: true }\n"
                + minimalWith(directory("http://graph.example.com/users/{oid}/getMemberObjects", TOKEN));

        assertThat(problems(loader().loadText(yaml)))
                .containsExactly(new ConfigProblem(
                        PATH + "endpoint",
                        "must use https (http is allowed only on loopback hosts: 127.0.0.1, ::1, localhost)"));
    }

    @Test
    void missingCredentials_reported() {
        List<ConfigProblem> problems = problems(loader().loadText(minimalWith("""
                identity:
                  groupDirectory:
                    endpoint: "%s"
                """.formatted(GRAPH))));

        assertThat(problems)
                .extracting(ConfigProblem::path)
                .containsExactlyInAnyOrder(PATH + "tokenEndpoint", PATH + "clientId", PATH + "clientSecret");
    }

    @Test
    void describe_masksTheClientSecret() {
        String described =
                valid(loader().loadText(minimalWith(directory(GRAPH, TOKEN)))).describe();

        assertThat(described)
                .contains("groupDirectory:", GRAPH, TOKEN, "clientId: latchkey-graph", "clientSecret: '****'")
                .doesNotContain(ACME_SECRET);
    }
}
