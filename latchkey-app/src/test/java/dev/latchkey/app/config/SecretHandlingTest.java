package dev.latchkey.app.config;

import static dev.latchkey.app.config.ConfigFixtures.FULL;
import static dev.latchkey.app.config.ConfigFixtures.MINIMAL;
import static dev.latchkey.app.config.ConfigFixtures.loader;
import static dev.latchkey.app.config.ConfigFixtures.minimalWith;
import static dev.latchkey.app.config.ConfigFixtures.problems;
import static dev.latchkey.app.config.ConfigFixtures.valid;
import static org.assertj.core.api.Assertions.assertThat;

import dev.latchkey.core.secret.Secret;
import dev.latchkey.core.tenant.TenantId;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Secret values never leave the loader in a message, a warning, a path or a printed config. */
class SecretHandlingTest {
    private static final String SECRET = "pr0d-S3cret-do-not-leak-7c1e";
    private static final String KEYSET = "{\"primaryKeyId\":77,\"key\":[\"do-not-leak-keyset\"]}";

    @Test
    void loadText_brokenConfigAroundSecrets_neverQuotesThem() {
        Map<String, String> environment = Map.of(
                "SECRET", SECRET,
                "LATCHKEY_DATABASE_PASSWORD", SECRET,
                "LATCHKEY_KEYSET", "env:KEYSET",
                "KEYSET", KEYSET,
                "PORT", SECRET,
                "ISSUER", SECRET);
        String yaml = "server: { port: \"${PORT}\" }\ndatabase: { url: \"jdbc:mysql://x\" }\n" + minimalWith("""
                        login: { issuer: "${ISSUER}", clientId: 5, clientSecret: "${SECRET}" }
                        resources:
                          mcp:
                            url: https://mcp.example.com
                            authorization: { dynamicRegistration: true, clientSecret: "${SECRET}" }
                        """);

        LoadResult result = loader(environment).loadText(yaml);

        List<ConfigProblem> reported = new ArrayList<>(problems(result));
        reported.addAll(result.warnings());
        assertThat(reported).hasSizeGreaterThanOrEqualTo(5);
        assertThat(reported)
                .allSatisfy(problem -> assertThat(problem.toString()).doesNotContain(SECRET, "do-not-leak"));
    }

    @Test
    void describe_masksEverySecret() {
        Map<String, String> environment = Map.of(
                "ACME_SECRET",
                SECRET,
                "JIRA_SECRET",
                SECRET + "-jira",
                "DB_PASSWORD",
                SECRET + "-db",
                "LATCHKEY_KEYSET",
                "env:KEYSET",
                "KEYSET",
                KEYSET);
        LatchkeyConfig config = valid(loader(environment).loadText(FULL));

        String described = config.describe();

        assertThat(described).doesNotContain(SECRET, "do-not-leak");
        assertThat(described).contains("password: '****'", "clientSecret: '****'", "keyset: env:KEYSET");
        assertThat(config.toString()).doesNotContain(SECRET, "do-not-leak");
    }

    @Test
    void loadText_secretFromFile_readsItWithoutTheFinalLineBreak(@TempDir Path directory) throws Exception {
        Path file = directory.resolve("client-secret");
        Files.writeString(file, SECRET + "\n", StandardCharsets.UTF_8);
        String yaml = minimalWith(
                "login: { issuer: \"https://idp.example.com\", clientId: c, clientSecret: { file: \"${DIR}/client-secret\" } }");

        LoadResult result = loader(Map.of("DIR", directory.toString())).loadText(yaml);

        assertThat(valid(result)
                        .tenant(TenantId.of("acme"))
                        .orElseThrow()
                        .login()
                        .orElseThrow()
                        .clientSecret())
                .contains(Secret.of(SECRET));
        assertThat(result.warnings()).isEmpty();
    }

    @Test
    void loadText_missingSecretFile_isAProblemAtTheFileKey(@TempDir Path directory) {
        String yaml = "database: { password: { file: \"" + directory.resolve("absent") + "\" } }\n" + MINIMAL;

        assertThat(problems(loader().loadText(yaml)))
                .containsExactly(new ConfigProblem(
                        "database.password.file", "cannot read the secret file (NoSuchFileException)"));
    }

    @Test
    void loadText_secretFileReferenceWithOtherKeys_isRejected() {
        String yaml = "database: { password: { path: /run/secrets/db } }\n" + MINIMAL;

        assertThat(problems(loader().loadText(yaml)))
                .extracting(ConfigProblem::path)
                .containsExactly("database.password.path", "database.password.file");
    }

    @Test
    void loadText_emptySecret_isRejected() {
        String yaml = "database: { password: \"${EMPTY}\" }\n" + MINIMAL;

        assertThat(problems(loader(Map.of("EMPTY", "")).loadText(yaml)))
                .containsExactly(new ConfigProblem("database.password", "must not be empty"));
    }
}
