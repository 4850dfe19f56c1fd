package dev.latchkey.app.config;

import static dev.latchkey.app.config.ConfigFixtures.MINIMAL;
import static dev.latchkey.app.config.ConfigFixtures.loader;
import static dev.latchkey.app.config.ConfigFixtures.problems;
import static dev.latchkey.app.config.ConfigFixtures.valid;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class InterpolationTest {

    private final Interpolator interpolator = new Interpolator(name -> Optional.ofNullable(
            Map.of("HOST", "db.example.com", "EMPTY", "", "PORT", "5432").get(name)));

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "plain text                 | plain text",
                "${HOST}                    | db.example.com",
                "jdbc://${HOST}:${PORT}/db  | jdbc://db.example.com:5432/db",
                "${UNSET:-fallback}         | fallback",
                "${HOST:-fallback}          | db.example.com",
                "${EMPTY:-fallback}         | fallback",
                "${UNSET:-}                 | ''",
                "${EMPTY}                   | ''",
                "$${HOST}                   | ${HOST}",
                "cost: $5 and $$ and $HOST  | cost: $5 and $$ and $HOST",
                "${UNSET:-a:-b}             | a:-b",
            })
    void interpolate_resolvesLikeAShell(String text, String expected) {
        assertThat(interpolator.interpolate(text))
                .isInstanceOfSatisfying(
                        Interpolator.Resolved.class,
                        resolved -> assertThat(resolved.value()).isEqualTo(expected));
    }

    @Test
    void interpolate_substitutedValue_isNotScannedAgain() {
        Interpolator nested = new Interpolator(name -> Optional.of("${OTHER}"));

        assertThat(nested.interpolate("${A}")).isEqualTo(new Interpolator.Resolved("${OTHER}", true, false));
    }

    @Test
    void interpolate_unsetVariables_areAllNamed() {
        assertThat(interpolator.interpolate("${ONE}-${HOST}-${TWO}"))
                .isEqualTo(new Interpolator.Failed(java.util.List.of(
                        "environment variable ONE is not set", "environment variable TWO is not set")));
    }

    @Test
    void interpolate_malformedReferences_areReported() {
        assertThat(interpolator.interpolate("${HOST")).isInstanceOf(Interpolator.Failed.class);
        assertThat(interpolator.interpolate("${}")).isInstanceOf(Interpolator.Failed.class);
        assertThat(interpolator.interpolate("${1ABC}")).isInstanceOf(Interpolator.Failed.class);
        assertThat(interpolator.interpolate("${A B}")).isInstanceOf(Interpolator.Failed.class);
    }

    @Test
    void interpolate_tracksWhetherTheFileSuppliedTheValue() {
        assertThat(interpolator.interpolate("x")).isEqualTo(new Interpolator.Resolved("x", false, false));
        assertThat(interpolator.interpolate("${HOST}"))
                .isEqualTo(new Interpolator.Resolved("db.example.com", true, false));
        assertThat(interpolator.interpolate("${UNSET:-x}")).isEqualTo(new Interpolator.Resolved("x", true, true));
    }

    @Test
    void loadText_unsetVariable_isAProblemAtItsPath() {
        String yaml = MINIMAL.replace("[latchkey]", "[\"${AUDIENCE}\"]");

        assertThat(problems(loader(Map.of()).loadText(yaml)))
                .containsExactly(new ConfigProblem(
                        "tenants.acme.issuers[0].audiences[0]", "environment variable AUDIENCE is not set"));
    }

    @Test
    void loadText_interpolatedNumbersAndBooleans_areParsed() {
        String yaml = "server: { port: \"${PORT}\" }\ndevelopment: { generateKeyset: \"${GEN:-true}\" }\n" + MINIMAL;

        LatchkeyConfig config = valid(loader(Map.of("PORT", "8443")).loadText(yaml));

        assertThat(config.server().port()).isEqualTo(8443);
        assertThat(config.development().generateKeyset()).isTrue();
    }

    @Test
    void loadText_interpolatedValue_isValidatedLikeALiteral() {
        String yaml = MINIMAL.replace("https://idp.example.com", "${IDP}");

        assertThat(problems(loader(Map.of("IDP", "http://idp.example.com")).loadText(yaml)))
                .extracting(ConfigProblem::path)
                .containsExactly("tenants.acme.issuers[0].issuer");
    }

    @Test
    void loadText_escapedReference_staysLiteral() {
        String yaml = "database: { user: \"$${USER}\" }\n" + MINIMAL;

        assertThat(valid(loader(Map.of("USER", "root")).loadText(yaml))
                        .database()
                        .user())
                .contains("${USER}");
    }

    @Test
    void loadText_keysAreNotInterpolated() {
        String yaml = "server: { \"${KEY}\": 1 }\n" + MINIMAL;

        assertThat(problems(loader(Map.of("KEY", "port")).loadText(yaml)))
                .extracting(ConfigProblem::path)
                .containsExactly("server.${KEY}");
    }
}
