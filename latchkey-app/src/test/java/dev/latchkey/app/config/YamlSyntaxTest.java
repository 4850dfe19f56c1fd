package dev.latchkey.app.config;

import static dev.latchkey.app.config.ConfigFixtures.MINIMAL;
import static dev.latchkey.app.config.ConfigFixtures.loader;
import static dev.latchkey.app.config.ConfigFixtures.problems;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class YamlSyntaxTest {

    @Test
    void loadText_unclosedFlowSequence_reportsLineAndColumn() {
        String yaml = "server:\n  port: 8080\ntenants: [a, b\nkeys: {}\n";

        List<ConfigProblem> problems = problems(loader().loadText(yaml));

        assertThat(problems).hasSize(1);
        assertThat(problems.getFirst().path()).isEmpty();
        assertThat(problems.getFirst().message())
                .startsWith("malformed YAML at line 4, column 5: ")
                .contains("expected ',' or ']'")
                .doesNotContain("\n", "Exception", "at tools.");
    }

    @Test
    void loadText_badIndentation_reportsLineAndColumn() {
        String yaml = "server:\n  port: 8080\n host: x\n";

        assertThat(problems(loader().loadText(yaml)))
                .singleElement()
                .satisfies(problem -> assertThat(problem.message()).startsWith("malformed YAML at line 3, column 2: "));
    }

    @Test
    void loadText_syntaxErrorOnASecretLine_neverQuotesTheLine() {
        String yaml = MINIMAL + "    login: { clientSecret: 'hunter2-literal\n";

        List<ConfigProblem> problems = problems(loader().loadText(yaml));

        assertThat(problems)
                .singleElement()
                .satisfies(problem -> assertThat(problem.message())
                        .startsWith("malformed YAML at line")
                        .doesNotContain("hunter2"));
    }

    @Test
    void loadText_duplicateKeys_areAllReportedWithTheirPaths() {
        String yaml = """
                server:
                  port: 8080
                  port: 9090
                tenants:
                  acme:
                    issuers:
                      - issuer: https://idp.example.com
                        audiences: [a]
                        issuer: https://other.example.com
                """;

        assertThat(problems(loader().loadText(yaml)))
                .containsExactly(
                        new ConfigProblem(
                                "server.port", "line 3, column 3: duplicate key 'port' (each key may appear once)"),
                        new ConfigProblem(
                                "tenants.acme.issuers[0].issuer",
                                "line 9, column 9: duplicate key 'issuer' (each key may appear once)"));
    }

    @Test
    void loadText_duplicateTenant_isReported() {
        String yaml = MINIMAL + "  acme:\n    apiKeys: { enabled: true }\n";

        assertThat(problems(loader().loadText(yaml)))
                .extracting(ConfigProblem::path)
                .containsExactly("tenants.acme");
    }

    @Test
    void loadText_alias_isRejectedRatherThanMisread() {
        String yaml = "logging: { level: &lvl info }\nserver: { host: *lvl }\n" + MINIMAL;

        assertThat(problems(loader().loadText(yaml)))
                .containsExactly(
                        new ConfigProblem("server.host", "line 2, column 17: YAML aliases (*name) are not supported"));
    }

    @Test
    void loadText_twoDocuments_isRejected() {
        assertThat(problems(loader().loadText(MINIMAL + "---\n" + MINIMAL)))
                .singleElement()
                .satisfies(problem ->
                        assertThat(problem.message()).endsWith("only one YAML document is allowed per file"));
    }

    @Test
    void loadText_topLevelList_isRejected() {
        assertThat(problems(loader().loadText("- a\n- b\n")))
                .containsExactly(new ConfigProblem("", "expected a mapping, got a list"));
    }

    @Test
    void loadText_emptyDocument_asksForTenants() {
        assertThat(problems(loader().loadText("# nothing yet\n")))
                .containsExactly(new ConfigProblem("tenants", "is required: configure at least one tenant"));
    }
}
