package dev.latchkey.core.resource;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** The {@code WWW-Authenticate} parser: RFC 6750 / RFC 9728 examples, and untrusted input. */
class BearerChallengeTest {

    @Test
    void parse_rfc9728Example_resourceMetadata() {
        Optional<BearerChallenge> challenge = BearerChallenge.parse(
                "Bearer resource_metadata=\"https://resource.example.com/.well-known/oauth-protected-resource\"");

        assertThat(challenge.flatMap(BearerChallenge::resourceMetadata))
                .contains("https://resource.example.com/.well-known/oauth-protected-resource");
    }

    @Test
    void parse_rfc6750InsufficientScope_errorAndScopes() {
        BearerChallenge challenge = BearerChallenge.parse(
                        "Bearer realm=\"example\", error=\"insufficient_scope\", scope=\"files:read  files:write\"")
                .orElseThrow();

        assertThat(challenge.error()).contains("insufficient_scope");
        assertThat(challenge.scopes()).containsExactly("files:read", "files:write");
        assertThat(challenge.parameter("REALM")).contains("example");
    }

    @Test
    void parse_bearerAfterOtherChallenges_bearerParametersOnly() {
        BearerChallenge challenge = BearerChallenge.parse(
                        "Basic dXNlcjpwYXNz==, DPoP algs=\"ES256 PS256\", error=\"x\", bearer error=invalid_token,"
                                + " resource_metadata=\"https://r.example/m\", Negotiate")
                .orElseThrow();

        assertThat(challenge.parameters())
                .isEqualTo(Map.of("error", "invalid_token", "resource_metadata", "https://r.example/m"));
    }

    @Test
    void parse_quotedStringWithEscapesAndCommas_unquoted() {
        BearerChallenge challenge = BearerChallenge.parse(
                        "Bearer error_description=\"a \\\"quoted\\\", with comma\" , error = invalid_token")
                .orElseThrow();

        assertThat(challenge.parameter("error_description")).contains("a \"quoted\", with comma");
        assertThat(challenge.error()).contains("invalid_token");
    }

    @Test
    void parse_repeatedParameter_firstWins() {
        assertThat(BearerChallenge.parse("Bearer scope=\"a\", scope=\"b\"")
                        .orElseThrow()
                        .scopes())
                .containsExactly("a");
    }

    @Test
    void parse_noBearerChallenge_empty() {
        assertThat(BearerChallenge.parse("Basic realm=\"x\"")).isEmpty();
        assertThat(BearerChallenge.parse("")).isEmpty();
        assertThat(BearerChallenge.parse(List.of("Basic realm=\"x\"", "Bearer realm=\"y\"")))
                .map(c -> c.parameter("realm").orElseThrow())
                .contains("y");
    }

    @Test
    void parse_unterminatedQuote_keepsWhatWasRead() {
        BearerChallenge challenge = BearerChallenge.parse("Bearer error=\"invalid_token\", scope=\"never ends")
                .orElseThrow();

        assertThat(challenge.error()).contains("invalid_token");
        assertThat(challenge.parameter("scope")).isEmpty();
    }

    @Property(tries = 2000)
    void parse_anyInput_neverThrows(@ForAll("headerLike") String header) {
        Optional<BearerChallenge> parsed = BearerChallenge.parse(header);

        parsed.ifPresent(
                c -> assertThat(c.parameters().keySet()).allMatch(k -> k.equals(k.toLowerCase(java.util.Locale.ROOT))));
    }

    @Property(tries = 500)
    void parse_quotedValue_roundTrips(@ForAll("values") String value) {
        String quoted = value.replace("\\", "\\\\").replace("\"", "\\\"");

        BearerChallenge challenge = BearerChallenge.parse("Bearer error=\"x\", scope=\"" + quoted + "\"")
                .orElseThrow();

        assertThat(challenge.parameter("scope")).contains(value);
        assertThat(challenge.error()).contains("x");
    }

    @Provide
    Arbitrary<String> headerLike() {
        return Arbitraries.strings()
                .withChars("Bearer =\",\\ \t_-./:abcXYZ019=")
                .ofMaxLength(80)
                .injectDuplicates(0.1)
                .edgeCases(edges -> edges.add("Bearer"));
    }

    @Provide
    Arbitrary<String> values() {
        return Arbitraries.strings().all().ofMaxLength(40);
    }
}
