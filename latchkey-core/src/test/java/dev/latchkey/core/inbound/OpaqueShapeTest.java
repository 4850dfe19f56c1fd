package dev.latchkey.core.inbound;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Which bearer tokens count as opaque (candidates for introspection): RFC 6750 b64tokens that are
 * shaped neither as a JWS nor as a JWE, so that nothing shaped like a JWT ever leaves for an
 * introspection endpoint.
 */
class OpaqueShapeTest {

    @ParameterizedTest
    @ValueSource(
            strings = {
                "2YotnFZFEjr1zCsicMWpAA",
                "tGzv3JOkF0XG5Qx2TlKWIA==",
                "a1b2-c3d4_e5f6.g7~h8+i9/j0",
                "ory_at_abc.def",
                "abc.def.ghi~",
                ".only.",
            })
    void isOpaque_b64tokensNotShapedAsJwts_true(String token) {
        assertThat(TokenShape.isOpaque(token)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln",
                "eyJhbGciOiJub25lIn0.eyJzdWIiOiJhIn0.",
                "aGVhZGVy.a2V5.aXY.Y2lwaGVy.dGFn",
                "has space",
                "percent%20encoded",
                "colon:token",
                "pad=ding",
                "====",
                "quote\"d",
            })
    void isOpaque_jwtShapedOrNotAB64token_false(String token) {
        assertThat(TokenShape.isOpaque(token)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(ints = {TokenShape.MAX_LENGTH, TokenShape.MAX_LENGTH + 1})
    void isOpaque_lengthBound_sameAsForJwts(int length) {
        assertThat(TokenShape.isOpaque("a".repeat(length))).isEqualTo(length <= TokenShape.MAX_LENGTH);
    }

    @Property
    void isOpaque_neverForAnythingShapedAsAJwsOrJwe(@ForAll("jwtShaped") String token) {
        assertThat(TokenShape.isOpaque(token)).isFalse();
    }

    @Provide
    Arbitrary<String> jwtShaped() {
        Arbitrary<String> segment = Arbitraries.strings()
                .withCharRange('a', 'z')
                .withCharRange('A', 'Z')
                .withCharRange('0', '9')
                .withChars('-', '_')
                .ofMinLength(1)
                .ofMaxLength(24);
        Arbitrary<String> signature = Arbitraries.oneOf(segment, Arbitraries.just(""));
        Arbitrary<String> jws = Combinators.combine(segment, segment, signature).as((h, p, s) -> h + "." + p + "." + s);
        Arbitrary<String> jwe = segment.list().ofSize(5).map(parts -> String.join(".", parts));
        return Arbitraries.oneOf(jws, jwe);
    }
}
