package dev.latchkey.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonTest {

    @Test
    void parse_everyValueKind_readAsDocumented() {
        Map<String, Object> object = Json.parseObject(
                bytes(" {\"s\":\"a\\u00e9\\ud83d\\ude00\\n\",\"n\":-1.5e2,\"i\":1700000000000,\"t\":true,\"f\":false,"
                        + "\"z\":null,\"a\":[1,\"x\",[]],\"o\":{}} "));

        assertThat(object.get("s")).isEqualTo("aé😀\n");
        assertThat(object.get("n")).isEqualTo(new BigDecimal("-1.5e2"));
        assertThat(Json.optionalInteger(object, "i")).isEqualTo(1_700_000_000_000L);
        assertThat(object.get("t")).isEqualTo(true);
        assertThat(object.get("f")).isEqualTo(false);
        assertThat(Json.isNull(java.util.Objects.requireNonNull(object.get("z"))))
                .isTrue();
        assertThat(Json.optionalString(object, "z")).isNull();
        assertThat((List<?>) object.get("a")).hasSize(3);
        assertThat(Json.optionalObject(object, "o")).isEmpty();
        assertThat(object.keySet()).containsExactly("s", "n", "i", "t", "f", "z", "a", "o");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "[]",
                "{",
                "{\"a\":1,}",
                "{\"a\":1}x",
                "{\"a\":1}{}",
                "{\"a\":01}",
                "{\"a\":1.}",
                "{\"a\":.5}",
                "{\"a\":-}",
                "{\"a\":+1}",
                "{\"a\":NaN}",
                "{\"a\":'x'}",
                "{a:1}",
                "{\"a\":\"\\x\"}",
                "{\"a\":\"\\ud800\"}",
                "{\"a\":\"\\udc00\"}",
                "{\"a\":\"\\ud800\\u0041\"}",
                "{\"a\":\"\\u12\"}",
                "{\"a\":\"tab\there\"}",
                "{\"a\":1,\"a\":2}",
                "{\"a\":tru}",
                "{\"a\":1 /* c */}",
                "{\"a\":[1,]}"
            })
    void parse_notStrictJson_refused(String text) {
        assertThatThrownBy(() -> Json.parseObject(bytes(text))).isInstanceOf(Json.JsonException.class);
    }

    @Test
    void parse_deepNesting_refused() {
        String deep = "{\"a\":" + "[".repeat(40) + "]".repeat(40) + "}";

        assertThatThrownBy(() -> Json.parseObject(bytes(deep)))
                .isInstanceOf(Json.JsonException.class)
                .hasMessageContaining("nesting");
    }

    @Test
    void parse_invalidUtf8_refused() {
        byte[] invalid = {'{', '"', 'a', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'};

        assertThatThrownBy(() -> Json.parseObject(invalid)).isInstanceOf(Json.JsonException.class);
    }

    @Test
    void parse_error_namesOffsetNotContent() {
        assertThatThrownBy(() -> Json.parseObject(bytes("{\"token\":\"secret-value\" x}")))
                .hasMessageContaining("offset")
                .hasMessageNotContaining("secret-value");
    }

    @Test
    void optionalInteger_fraction_refused() {
        Map<String, Object> object = Json.parseObject(bytes("{\"a\":1.5,\"b\":\"1\"}"));

        assertThatThrownBy(() -> Json.optionalInteger(object, "a")).isInstanceOf(Json.JsonException.class);
        assertThatThrownBy(() -> Json.optionalInteger(object, "b")).isInstanceOf(Json.JsonException.class);
    }

    @Test
    void writeObject_specialCharacters_roundTrip() {
        Map<String, String> members = new LinkedHashMap<>();
        members.put("q\"uote", "back\\slash \"quoted\" \n\r\t \u0001 \u2028 é 😀 </script>");
        members.put("empty", "");

        String json = Json.writeObject(members);

        assertThat(json).doesNotContain("\n").doesNotContain("\u2028").doesNotContain("\u0001");
        assertThat(Json.parseObject(bytes(json))).isEqualTo(members);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
