package dev.latchkey.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** C10-07, the parser half: {@code WWW-Authenticate} per RFC 9110 §11.6.1 and RFC 6750 §3. */
class ChallengeTest {

    @Test
    void parse_quotedDescriptionWithComma_keptWhole() {
        Challenge bearer = bearer("Bearer error=\"invalid_token\", error_description=\"a, b\"");

        assertThat(bearer.parameters()).isEqualTo(Map.of("error", "invalid_token", "error_description", "a, b"));
    }

    @Test
    void parse_quotedPairs_unescaped() {
        Challenge bearer = bearer("Bearer error_description=\"say \\\"hi\\\", then \\\\ and \\, ok\"");

        assertThat(bearer.parameter("error_description")).contains("say \"hi\", then \\ and , ok");
    }

    @Test
    void parse_insufficientScope_scopeWithSpaces() {
        Challenge bearer = bearer("Bearer realm=\"latchkey\", error=\"insufficient_scope\", scope=\"x y\"");

        assertThat(bearer.parameter("error")).contains("insufficient_scope");
        assertThat(bearer.parameter("scope")).contains("x y");
        assertThat(new InsufficientScopeException(bearer.parameter("scope").orElseThrow()).scopes())
                .containsExactly("x", "y");
    }

    @Test
    void parse_severalChallengesInOneField_eachWithItsOwnParameters() {
        List<Challenge> challenges = Challenge.parse(List.of(
                "DPoP algs=\"ES256 PS256\", error=\"use_dpop_nonce\", Bearer realm=\"a, b\", error=\"invalid_token\","
                        + " Basic realm=\"basic\""));

        assertThat(challenges).extracting(Challenge::scheme).containsExactly("DPoP", "Bearer", "Basic");
        assertThat(challenges.get(0).parameters()).isEqualTo(Map.of("algs", "ES256 PS256", "error", "use_dpop_nonce"));
        assertThat(challenges.get(1).parameters()).isEqualTo(Map.of("realm", "a, b", "error", "invalid_token"));
        assertThat(challenges.get(2).parameters()).isEqualTo(Map.of("realm", "basic"));
    }

    @Test
    void parse_severalFields_bearerFoundInSecond() {
        Challenge bearer = Challenge.bearer(List.of("Basic realm=\"x\"", "Bearer error=\"invalid_token\""))
                .orElseThrow();

        assertThat(bearer.parameter("error")).contains("invalid_token");
    }

    @Test
    void parse_token68BeforeBearer_skipped() {
        List<Challenge> challenges =
                Challenge.parse(List.of("Negotiate YIIGhgYJKoZIhvcSAQICAQBuggZ1==, Bearer error=invalid_token"));

        assertThat(challenges).extracting(Challenge::scheme).containsExactly("Negotiate", "Bearer");
        assertThat(challenges.get(0).parameters()).isEmpty();
        assertThat(challenges.get(1).parameter("error")).contains("invalid_token");
    }

    @Test
    void parse_unknownParametersAndCase_ignoredAndNamesCaseInsensitive() {
        Challenge bearer =
                bearer("bEaReR X-Custom=1, ERROR = \"invalid_token\" ,foo=\"bar, baz\",resource_metadata=\"u\"");

        assertThat(bearer.parameter("error")).contains("invalid_token");
        assertThat(bearer.parameter("Error")).contains("invalid_token");
        assertThat(bearer.parameter("x-custom")).contains("1");
    }

    @Test
    void parse_repeatedParameter_firstWins() {
        assertThat(bearer("Bearer error=\"invalid_token\", error=\"insufficient_scope\"")
                        .parameter("error"))
                .contains("invalid_token");
    }

    @Test
    void parse_unterminatedQuote_keepsWhatWasReadBefore() {
        Challenge bearer = bearer("Bearer error=\"invalid_token\", error_description=\"never closed");

        assertThat(bearer.parameter("error")).contains("invalid_token");
        assertThat(bearer.parameter("error_description")).isEmpty();
    }

    @Test
    void parse_noBearer_empty() {
        assertThat(Challenge.bearer(List.of("Basic realm=\"x\", Digest nonce=\"1, 2\"")))
                .isEmpty();
        assertThat(Challenge.bearer(List.of())).isEmpty();
        assertThat(Challenge.bearer(List.of(""))).isEmpty();
    }

    @Test
    void parse_arbitraryInput_neverThrows() {
        String alphabet = "Bearer error=\", \\\t\r\n;=a-Z0~é\u0000";
        Random random = new Random(20_240_611L);
        for (int i = 0; i < 20_000; i++) {
            StringBuilder header = new StringBuilder();
            int length = random.nextInt(40);
            for (int j = 0; j < length; j++) {
                header.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            String value = header.toString();
            assertThatCode(() -> Challenge.parse(List.of(value))).as(value).doesNotThrowAnyException();
        }
    }

    private static Challenge bearer(String header) {
        return Challenge.bearer(List.of(header)).orElseThrow();
    }
}
