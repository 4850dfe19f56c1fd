package dev.latchkey.core.resource;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The {@code Bearer} challenge of a {@code WWW-Authenticate} response header (RFC 6750 §3), with
 * its auth-params: {@code error}, {@code scope}, RFC 9728's {@code resource_metadata} and any
 * other. Parameter names are lower-cased (they are case-insensitive, RFC 9110 §11.2); when a name
 * repeats, the first value counts. The parser reads untrusted input and never throws: what it
 * cannot read ends the parse, and what was read until then is kept.
 *
 * @param parameters the auth-params, names lower-cased, values unquoted
 */
public record BearerChallenge(Map<String, String> parameters) {

    public BearerChallenge {
        parameters = Map.copyOf(parameters);
    }

    /**
     * The first {@code Bearer} challenge in {@code headerValues}, the values of every {@code
     * WWW-Authenticate} field of a response; each value may hold several challenges (RFC 9110
     * §11.6.1), e.g. {@code DPoP algs="ES256", Bearer resource_metadata="…"}.
     */
    public static Optional<BearerChallenge> parse(List<String> headerValues) {
        for (String value : headerValues) {
            Optional<BearerChallenge> found = parse(value);
            if (found.isPresent()) {
                return found;
            }
        }
        return Optional.empty();
    }

    /** The first {@code Bearer} challenge in one {@code WWW-Authenticate} field value. */
    public static Optional<BearerChallenge> parse(String headerValue) {
        Parser parser = new Parser(headerValue);
        return parser.firstBearer().map(BearerChallenge::new);
    }

    /** The value of auth-param {@code name} (case-insensitive). */
    public Optional<String> parameter(String name) {
        return Optional.ofNullable(parameters.get(name.toLowerCase(Locale.ROOT)));
    }

    /** The RFC 6750 §3.1 error code, e.g. {@code invalid_token} or {@code insufficient_scope}. */
    public Optional<String> error() {
        return parameter("error");
    }

    /** The scopes the resource asks for (RFC 6750 §3), in order; empty when it named none. */
    public Set<String> scopes() {
        Set<String> scopes = new LinkedHashSet<>();
        parameter("scope")
                .ifPresent(scope -> Arrays.stream(scope.split(" ", -1))
                        .filter(s -> !s.isEmpty())
                        .forEach(scopes::add));
        return java.util.Collections.unmodifiableSet(scopes);
    }

    /** RFC 9728 §5.1: the URL of the resource's protected-resource metadata. */
    public Optional<String> resourceMetadata() {
        return parameter("resource_metadata");
    }

    /**
     * A recursive-descent reader of {@code #challenge}: {@code challenge = auth-scheme [ 1*SP (
     * token68 / #auth-param ) ]}, {@code auth-param = token BWS "=" BWS ( token / quoted-string )}.
     */
    private static final class Parser {
        private final String in;
        private int at;

        Parser(String in) {
            this.in = in;
        }

        Optional<Map<String, String>> firstBearer() {
            @Nullable Map<String, String> bearer = null;
            while (true) {
                skipSeparators();
                if (at >= in.length()) {
                    break;
                }
                String token = token();
                if (token.isEmpty()) {
                    break;
                }
                skipWhitespace();
                if (at < in.length() && in.charAt(at) == '=') {
                    at++;
                    skipWhitespace();
                    @Nullable String value = value();
                    if (value == null) {
                        break;
                    }
                    if (bearer != null) {
                        bearer.putIfAbsent(token.toLowerCase(Locale.ROOT), value);
                    }
                    continue;
                }
                // A token not followed by '=' starts the next challenge.
                if (bearer != null) {
                    break;
                }
                if (token.equalsIgnoreCase("Bearer")) {
                    bearer = new LinkedHashMap<>();
                }
                skipToken68();
            }
            return Optional.ofNullable(bearer);
        }

        /** A token68 right after a scheme, if one stands alone before a comma or the end. */
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
                return quoted();
            }
            return token();
        }

        private @Nullable String quoted() {
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

        // RFC 9110 §11.2 token68 (without the trailing '=' padding).
        private static boolean isToken68Char(char c) {
            return (c >= 'a' && c <= 'z')
                    || (c >= 'A' && c <= 'Z')
                    || (c >= '0' && c <= '9')
                    || "-._~+/".indexOf(c) >= 0;
        }
    }
}
