package dev.latchkey.client;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A strict RFC 8259 reader and a writer of flat objects, enough for Latchkey's contract without a
 * JSON library. The reader accepts exactly the grammar: UTF-8 only, no comments, no trailing
 * commas or content, no leading zeros, no raw control characters, no unpaired surrogates, no
 * duplicate member names (RFC 8259 §4 leaves their meaning open; a body that names {@code token}
 * twice is refused rather than guessed at), and at most {@value #MAX_DEPTH} levels of nesting.
 * Objects come back as unmodifiable ordered maps, arrays as lists, numbers as {@link BigDecimal},
 * {@code null} as {@link #NULL}. Errors name the offset only, never the text, which may hold
 * tokens.
 */
final class Json {
    /** The JSON {@code null} value (maps and lists here never hold Java {@code null}). */
    static final Object NULL = new Object() {
        @Override
        public String toString() {
            return "null";
        }
    };

    private static final int MAX_DEPTH = 32;
    private static final int MAX_NUMBER_LENGTH = 64;

    private Json() {}

    /** A syntax error or a member of the wrong type. */
    static final class JsonException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        JsonException(String message) {
            super(message);
        }
    }

    /** Decodes strict UTF-8 (RFC 8259 §8.1) and parses one JSON object. */
    static Map<String, Object> parseObject(byte[] utf8) {
        String text;
        try {
            text = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(utf8))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new JsonException("body is not UTF-8");
        }
        Object value = parse(text);
        if (value instanceof Map<?, ?>) {
            return asObject(value, "body");
        }
        throw new JsonException("body is not a JSON object");
    }

    /** Parses one JSON text. */
    static Object parse(String text) {
        Reader reader = new Reader(text);
        reader.skipWhitespace();
        Object value = reader.value(0);
        reader.skipWhitespace();
        if (!reader.atEnd()) {
            throw new JsonException("unexpected content after the JSON value at offset " + reader.at);
        }
        return value;
    }

    /** True for the JSON {@code null} value. */
    static boolean isNull(Object value) {
        return value == NULL;
    }

    /** A non-empty string member. */
    static String requiredString(Map<String, Object> object, String name) {
        @Nullable String value = optionalString(object, name);
        if (value == null || value.isEmpty()) {
            throw new JsonException("member " + name + " must be a non-empty string");
        }
        return value;
    }

    /** A string member, or {@code null} when absent or JSON {@code null}. */
    static @Nullable String optionalString(Map<String, Object> object, String name) {
        Object value = object.get(name);
        if (value == null || value == NULL) {
            return null;
        }
        if (value instanceof String s) {
            return s;
        }
        throw new JsonException("member " + name + " must be a string");
    }

    /** An object member, or {@code null} when absent or JSON {@code null}. */
    static @Nullable Map<String, Object> optionalObject(Map<String, Object> object, String name) {
        Object value = object.get(name);
        if (value == null || value == NULL) {
            return null;
        }
        return asObject(value, name);
    }

    /** An array of strings; empty when absent or JSON {@code null}. */
    static List<String> stringList(Map<String, Object> object, String name) {
        Object value = object.get(name);
        if (value == null || value == NULL) {
            return List.of();
        }
        if (!(value instanceof List<?> list)) {
            throw new JsonException("member " + name + " must be an array of strings");
        }
        List<String> strings = new ArrayList<>(list.size());
        for (Object element : list) {
            if (!(element instanceof String s)) {
                throw new JsonException("member " + name + " must be an array of strings");
            }
            strings.add(s);
        }
        return List.copyOf(strings);
    }

    /** A number member that is an exact integer within {@code long}, or {@code null} when absent. */
    static @Nullable Long optionalInteger(Map<String, Object> object, String name) {
        Object value = object.get(name);
        if (value == null || value == NULL) {
            return null;
        }
        if (value instanceof BigDecimal number) {
            try {
                return number.longValueExact();
            } catch (ArithmeticException e) {
                throw new JsonException("member " + name + " must be an integer");
            }
        }
        throw new JsonException("member " + name + " must be a number");
    }

    @SuppressWarnings("unchecked") // Reader builds every object as Map<String, Object>.
    private static Map<String, Object> asObject(Object value, String name) {
        if (value instanceof Map<?, ?>) {
            return (Map<String, Object>) value;
        }
        throw new JsonException("member " + name + " must be an object");
    }

    /** Writes a flat object of string members, in the map's iteration order. */
    static String writeObject(Map<String, String> members) {
        StringBuilder out = new StringBuilder("{");
        boolean first = true;
        for (Map.Entry<String, String> member : members.entrySet()) {
            if (!first) {
                out.append(',');
            }
            first = false;
            writeString(out, member.getKey());
            out.append(':');
            writeString(out, member.getValue());
        }
        return out.append('}').toString();
    }

    private static void writeString(StringBuilder out, String value) {
        out.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    // RFC 8259 §7: control characters must be escaped; U+2028/9 too, for JavaScript readers.
                    if (c < 0x20 || c == '\u2028' || c == '\u2029') {
                        out.append(String.format(java.util.Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    private static final class Reader {
        private final String in;
        private int at;

        Reader(String in) {
            this.in = in;
        }

        boolean atEnd() {
            return at >= in.length();
        }

        void skipWhitespace() {
            while (at < in.length()) {
                char c = in.charAt(at);
                if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                    return;
                }
                at++;
            }
        }

        Object value(int depth) {
            if (atEnd()) {
                throw error("a value");
            }
            char c = in.charAt(at);
            return switch (c) {
                case '{' -> object(depth + 1);
                case '[' -> array(depth + 1);
                case '"' -> string();
                case 't' -> literal("true", true);
                case 'f' -> literal("false", false);
                case 'n' -> literal("null", NULL);
                default -> number();
            };
        }

        private Map<String, Object> object(int depth) {
            checkDepth(depth);
            at++;
            Map<String, Object> members = new LinkedHashMap<>();
            skipWhitespace();
            if (peek('}')) {
                at++;
                return Collections.unmodifiableMap(members);
            }
            while (true) {
                skipWhitespace();
                if (!peek('"')) {
                    throw error("a member name");
                }
                String name = string();
                skipWhitespace();
                expect(':');
                skipWhitespace();
                Object value = value(depth);
                if (members.putIfAbsent(name, value) != null) {
                    throw new JsonException("duplicate member name at offset " + at);
                }
                skipWhitespace();
                if (peek(',')) {
                    at++;
                    continue;
                }
                expect('}');
                return Collections.unmodifiableMap(members);
            }
        }

        private List<Object> array(int depth) {
            checkDepth(depth);
            at++;
            List<Object> elements = new ArrayList<>();
            skipWhitespace();
            if (peek(']')) {
                at++;
                return Collections.unmodifiableList(elements);
            }
            while (true) {
                skipWhitespace();
                elements.add(value(depth));
                skipWhitespace();
                if (peek(',')) {
                    at++;
                    continue;
                }
                expect(']');
                return Collections.unmodifiableList(elements);
            }
        }

        private String string() {
            at++;
            StringBuilder out = new StringBuilder();
            while (true) {
                if (atEnd()) {
                    throw error("the end of a string");
                }
                char c = in.charAt(at++);
                if (c == '"') {
                    return out.toString();
                }
                if (c < 0x20) {
                    throw new JsonException("raw control character in a string at offset " + (at - 1));
                }
                if (c != '\\') {
                    out.append(c);
                    continue;
                }
                if (atEnd()) {
                    throw error("an escape");
                }
                char escaped = in.charAt(at++);
                switch (escaped) {
                    case '"', '\\', '/' -> out.append(escaped);
                    case 'b' -> out.append('\b');
                    case 'f' -> out.append('\f');
                    case 'n' -> out.append('\n');
                    case 'r' -> out.append('\r');
                    case 't' -> out.append('\t');
                    case 'u' -> out.append(unicodeEscape());
                    default -> throw new JsonException("invalid escape at offset " + (at - 1));
                }
            }
        }

        /** {@code \\uXXXX}, with a surrogate pair spelled as two escapes (RFC 8259 §7). */
        private char[] unicodeEscape() {
            char first = hex4();
            if (Character.isLowSurrogate(first)) {
                throw new JsonException("unpaired surrogate at offset " + at);
            }
            if (!Character.isHighSurrogate(first)) {
                return new char[] {first};
            }
            if (!in.startsWith("\\u", at)) {
                throw new JsonException("unpaired surrogate at offset " + at);
            }
            at += 2;
            char second = hex4();
            if (!Character.isLowSurrogate(second)) {
                throw new JsonException("unpaired surrogate at offset " + at);
            }
            return new char[] {first, second};
        }

        private char hex4() {
            if (at + 4 > in.length()) {
                throw error("four hex digits");
            }
            int value = 0;
            for (int i = 0; i < 4; i++) {
                int digit = Character.digit(in.charAt(at + i), 16);
                if (digit < 0) {
                    throw error("four hex digits");
                }
                value = value * 16 + digit;
            }
            at += 4;
            return (char) value;
        }

        private BigDecimal number() {
            int start = at;
            if (peek('-')) {
                at++;
            }
            if (peek('0')) {
                at++;
            } else if (!digits()) {
                throw error("a value");
            }
            if (peek('.')) {
                at++;
                if (!digits()) {
                    throw error("digits after the decimal point");
                }
            }
            if (peek('e') || peek('E')) {
                at++;
                if (peek('+') || peek('-')) {
                    at++;
                }
                if (!digits()) {
                    throw error("exponent digits");
                }
            }
            if (at - start > MAX_NUMBER_LENGTH) {
                throw new JsonException("number too long at offset " + start);
            }
            return new BigDecimal(in.substring(start, at));
        }

        private boolean digits() {
            int start = at;
            while (at < in.length() && in.charAt(at) >= '0' && in.charAt(at) <= '9') {
                at++;
            }
            return at > start;
        }

        private Object literal(String word, Object value) {
            if (!in.startsWith(word, at)) {
                throw error("a value");
            }
            at += word.length();
            return value;
        }

        private void checkDepth(int depth) {
            if (depth > MAX_DEPTH) {
                throw new JsonException("nesting deeper than " + MAX_DEPTH + " at offset " + at);
            }
        }

        private boolean peek(char c) {
            return at < in.length() && in.charAt(at) == c;
        }

        private void expect(char c) {
            if (!peek(c)) {
                throw error("'" + c + "'");
            }
            at++;
        }

        private JsonException error(String expected) {
            return new JsonException("expected " + expected + " at offset " + at);
        }
    }
}
