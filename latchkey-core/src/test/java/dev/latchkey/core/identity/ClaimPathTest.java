package dev.latchkey.core.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ClaimPathTest {

    @Test
    void valuesIn_nestedPath_readsArray() {
        Map<String, Object> claims =
                Map.of("resource_access", Map.of("latchkey", Map.of("roles", List.of("reader", "writer"))));

        assertThat(ClaimPath.parse("resource_access.latchkey.roles").valuesIn(claims))
                .contains(Set.of("reader", "writer"));
    }

    @Test
    void valuesIn_intermediateNotAnObject_isEmpty() {
        assertThat(ClaimPath.parse("realm_access.roles").valuesIn(Map.of("realm_access", "admin")))
                .isEmpty();
    }

    @Test
    void valuesIn_numberOrObjectValue_isEmpty() {
        assertThat(ClaimPath.parse("groups").valuesIn(Map.of("groups", 5))).isEmpty();
        assertThat(ClaimPath.parse("groups").valuesIn(Map.of("groups", Map.of("a", "b"))))
                .isEmpty();
    }

    @Test
    void claimName_isFirstSegment() {
        assertThat(ClaimPath.parse("realm_access.roles").claimName()).isEqualTo("realm_access");
        assertThat(ClaimPath.parse("realm_access.roles")).hasToString("realm_access.roles");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ".", "a..b", "a.", "with space", "a.b.c.d.e.f.g.h.i", "line\nbreak"})
    void parse_invalidPath_refused(String path) {
        assertThatThrownBy(() -> ClaimPath.parse(path)).isInstanceOf(IllegalArgumentException.class);
    }
}
