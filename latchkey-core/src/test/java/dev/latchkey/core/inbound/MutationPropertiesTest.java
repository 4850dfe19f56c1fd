package dev.latchkey.core.inbound;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import dev.latchkey.core.tenant.TenantId;
import dev.latchkey.core.testing.TestClock;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/** Random mutations of a valid token are never accepted, and no input makes validate throw. */
class MutationPropertiesTest {
    private static final TenantId A = TenantId.of("t-a");
    private static final String ISSUER = "https://idp-a.test";
    private static final RSAKey KEY = Tokens.rsaKey("k1");
    private static final Instant START = Instant.parse("2030-01-01T00:00:00Z");
    private static final String VALID = Tokens.signRs256(KEY, Tokens.claims(ISSUER, START));
    private static final KeyServer keys = KeyServer.start();
    private static final BearerValidator validator = new BearerValidator(
            Map.of(
                    A,
                    List.of(IssuerPolicy.forIssuer(ISSUER)
                            .jwksUri(keys.uri(KeyServer.JWKS_PATH))
                            .audience(Tokens.AUDIENCE)
                            .allowInsecureLoopback(true)
                            .build())),
            new TestClock(START),
            BearerValidator.Listener.NONE);

    @BeforeContainer
    static void publishKey() {
        keys.publish(KEY);
        assertThat(validator.validate(A, Tokens.secret(VALID))).isInstanceOf(Validation.Valid.class);
    }

    @AfterContainer
    static void stop() {
        keys.close();
    }

    @Property(tries = 400)
    void mutatedToken_neverValid(@ForAll("mutations") String mutated) {
        if (mutated.isEmpty() || mutated.equals(VALID)) {
            return;
        }
        assertThat(validator.validate(A, Tokens.secret(mutated))).isNotInstanceOf(Validation.Valid.class);
        assertThat(validator.validate(null, Tokens.secret(mutated))).isNotInstanceOf(Validation.Valid.class);
    }

    @Property(tries = 300)
    void arbitraryInput_neverThrowsNorValid(@ForAll("garbage") String input) {
        if (input.isEmpty()) {
            return;
        }
        assertThat(validator.validate(null, Tokens.secret(input))).isNotInstanceOf(Validation.Valid.class);
    }

    @Provide
    Arbitrary<String> mutations() {
        return Arbitraries.oneOf(
                charFlips(), signatureTails(), segmentSwaps(), truncations(), headerEdits(), payloadEdits());
    }

    @Provide
    Arbitrary<String> garbage() {
        Arbitrary<String> any = Arbitraries.strings().ofMaxLength(300);
        Arbitrary<String> tokenish = Arbitraries.strings()
                .withChars("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.")
                .ofMaxLength(600);
        Arbitrary<String> jsonSegments = Arbitraries.of(
                        "{}",
                        "[]",
                        "{\"alg\":\"RS256\"}",
                        "{\"alg\":null}",
                        "{\"alg\":[]}",
                        "null",
                        "\"x\"",
                        "{\"a\":1e999}")
                .list()
                .ofSize(3)
                .map(parts -> String.join(".", parts.stream().map(Tokens::b64).toList()));
        return Arbitraries.oneOf(any, tokenish, jsonSegments);
    }

    private static Arbitrary<String> charFlips() {
        return Combinators.combine(
                        Arbitraries.integers().between(0, VALID.length() - 1),
                        Arbitraries.integers().between(1, 127))
                .as((at, bits) -> VALID.substring(0, at) + (char) (VALID.charAt(at) ^ bits) + VALID.substring(at + 1));
    }

    // The last character of a base64url signature carries unused bits: another spelling of the
    // same signature must not pass either.
    private static Arbitrary<String> signatureTails() {
        String head = VALID.substring(0, VALID.length() - 1);
        return Arbitraries.chars()
                .with("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
                .map(tail -> head + tail);
    }

    private static Arbitrary<String> segmentSwaps() {
        String[] parts = VALID.split("\\.", -1);
        return Arbitraries.shuffle(List.of(parts[0], parts[1], parts[2])).map(order -> String.join(".", order));
    }

    private static Arbitrary<String> truncations() {
        return Arbitraries.integers().between(1, VALID.length() - 1).map(length -> VALID.substring(0, length));
    }

    private static Arbitrary<String> headerEdits() {
        String rest = VALID.substring(VALID.indexOf('.'));
        return Arbitraries.of(
                        "{\"alg\":\"RS256\",\"kid\":\"k1\",\"typ\":\"JWT\"}",
                        "{\"alg\":\"RS384\",\"kid\":\"k1\"}",
                        "{\"alg\":\"PS256\",\"kid\":\"k1\"}",
                        "{\"alg\":\"HS256\",\"kid\":\"k1\"}",
                        "{\"alg\":\"none\",\"kid\":\"k1\"}",
                        "{\"alg\":\"RS256\",\"kid\":\"k1\",\"crit\":[\"exp\"],\"exp\":1}",
                        "{\"alg\":\"RS256\",\"kid\":\"k1\",\"cty\":\"JWT\"}",
                        "{\"alg\":\"RS256\",\"kid\":\"k2\"}",
                        "{\"alg\":\"ES256\",\"kid\":\"k1\"}")
                .map(header -> Tokens.b64(header) + rest);
    }

    private static Arbitrary<String> payloadEdits() {
        String[] parts = VALID.split("\\.", -1);
        String payload = new Base64URL(parts[1]).decodeToString();
        return Arbitraries.of(
                        payload.replace("alice", "mallory"),
                        payload.replace("latchkey-api", "latchkey-apj"),
                        payload.replace("tokens:read", "tokens:admin"),
                        payload + " ",
                        " " + payload,
                        payload.replace("\"exp\":", "\"exp\": "))
                .map(edited ->
                        parts[0] + "." + Base64URL.encode(edited.getBytes(StandardCharsets.UTF_8)) + "." + parts[2]);
    }
}
