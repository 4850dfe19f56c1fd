package dev.latchkey.client;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * One challenge of a {@code WWW-Authenticate} field (RFC 9110 §11.6.1): its auth-scheme and
 * auth-params, names lower-cased (they are case-insensitive, RFC 9110 §11.2), values unquoted. A
 * name that repeats keeps its first value; a token68 is skipped.
 *
 * @param scheme the auth-scheme as sent, e.g. {@code Bearer}
 * @param parameters the auth-params
 */
record Challenge(String scheme, Map<String, String> parameters) {

    Challenge {
        parameters = Map.copyOf(parameters);
    }

    /** The value of auth-param {@code name}. */
    Optional<String> parameter(String name) {
        return Optional.ofNullable(parameters.get(name.toLowerCase(Locale.ROOT)));
    }

    /** The first {@code Bearer} challenge (RFC 6750 §3) among all the fields' challenges. */
    static Optional<Challenge> bearer(List<String> headerValues) {
        return parse(headerValues).stream()
                .filter(c -> c.scheme().equalsIgnoreCase("Bearer"))
                .findFirst();
    }

    /**
     * Every challenge in {@code headerValues}, the values of all {@code WWW-Authenticate} fields
     * of a response, in order; each value may hold several challenges. The input is untrusted:
     * parsing never throws, and stops at the first thing it cannot read, keeping what it read.
     */
    static List<Challenge> parse(List<String> headerValues) {
        List<Challenge> challenges = new ArrayList<>();
        for (String value : headerValues) {
            new Parser(value).readInto(challenges);
        }
        return List.copyOf(challenges);
    }

    /**
     * A reader of {@code 1#challenge}, where {@code challenge = auth-scheme [ 1*SP ( token68 /
     * #auth-param ) ]} and {@code auth-param = token BWS "=" BWS ( token / quoted-string )}. A
     * token that is not followed by {@code =} starts the next challenge, which is what tells the
     * list of challenges apart from a challenge's list of parameters.
     */
    private static final class Parser {
        private final String in;
        private int at;

        Parser(String in) {
            this.in = in;
        }

        void readInto(List<Challenge> out) {
            while (true) {
                skipSeparators();
                String scheme = token();
                if (scheme.isEmpty()) {
                    return;
                }
                Map<String, String> parameters = new LinkedHashMap<>();
                skipWhitespace();
                skipToken68();
                boolean malformed = readParameters(parameters);
                out.add(new Challenge(scheme, parameters));
                if (malformed) {
                    return;
                }
            }
        }

        /** Reads auth-params until the next challenge or the end; true if it stopped on an error. */
        private boolean readParameters(Map<String, String> parameters) {
            while (true) {
                skipSeparators();
                if (at >= in.length()) {
                    return false;
                }
                int start = at;
                String name = token();
                if (name.isEmpty()) {
                    return true;
                }
                skipWhitespace();
                if (at >= in.length() || in.charAt(at) != '=') {
                    at = start;
                    return false;
                }
                at++;
                skipWhitespace();
                @Nullable String value = value();
                if (value == null) {
                    return true;
                }
                parameters.putIfAbsent(name.toLowerCase(Locale.ROOT), value);
            }
        }

        /** A token68 right after the scheme: token68 characters and '=' padding, then ',' or the end. */
        private void skipToken68() {
            int probe = at;
            while (probe < in.length() && isToken68Char(in.charAt(probe))) {
                probe++;
            }
            if (probe == at) {
                return;
            }
            while (probe < in.length() && in.charAt(probe) == '=') {
                probe++;
            }
            int end = probe;
            while (end < in.length() && isWhitespace(in.charAt(end))) {
                end++;
            }
            if (end >= in.length() || in.charAt(end) == ',') {
                at = end;
            }
        }

        private @Nullable String value() {
            if (at < in.length() && in.charAt(at) == '"') {
                return quotedString();
            }
            String token = token();
            return token.isEmpty() ? null : token;
        }

        /** RFC 9110 §5.6.4: {@code DQUOTE *( qdtext / quoted-pair ) DQUOTE}; null when unterminated. */
        private @Nullable String quotedString() {
            StringBuilder value = new StringBuilder();
            at++;
            while (at < in.length()) {
                char c = in.charAt(at++);
                if (c == '"') {
                    return value.toString();
                }
                if (c == '\\') {
                    if (at >= in.length()) {
                        return null;
                    }
                    c = in.charAt(at++);
                }
                value.append(c);
            }
            return null;
        }

        private String token() {
            int start = at;
            while (at < in.length() && isTokenChar(in.charAt(at))) {
                at++;
            }
            return in.substring(start, at);
        }

        private void skipSeparators() {
            while (at < in.length() && (in.charAt(at) == ',' || isWhitespace(in.charAt(at)))) {
                at++;
            }
        }

        private void skipWhitespace() {
            while (at < in.length() && isWhitespace(in.charAt(at))) {
                at++;
            }
        }

        private static boolean isWhitespace(char c) {
            return c == ' ' || c == '\t';
        }

        // RFC 9110 §5.6.2 tchar.
        private static boolean isTokenChar(char c) {
            return (c >= 'a' && c <= 'z')
                    || (c >= 'A' && c <= 'Z')
                    || (c >= '0' && c <= '9')
                    || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
        }

        // RFC 9110 §11.2 token68, without its '=' padding.
        private static boolean isToken68Char(char c) {
            return (c >= 'a' && c <= 'z')
                    || (c >= 'A' && c <= 'Z')
                    || (c >= '0' && c <= '9')
                    || "-._~+/".indexOf(c) >= 0;
        }
    }
}
