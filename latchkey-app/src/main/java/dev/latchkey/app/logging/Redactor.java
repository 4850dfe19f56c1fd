package dev.latchkey.app.logging;

import dev.latchkey.core.secret.Secret;
import java.util.List;
import java.util.function.Function;
import java.util.regex.MatchResult;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Replaces secret-shaped values in free text by {@code [redacted:sha256:<12 hex>]} (or {@code
 * [redacted]} for short values, whose hash a dictionary could reverse). A pure function: it keeps
 * no state, never logs and never throws on any input. It catches what a careless log line would
 * carry (security case C9-01):
 *
 * <ul>
 *   <li>JWTs (JWS and JWE: base64url segments starting with {@code eyJ});
 *   <li>credentials after an HTTP auth scheme: {@code Bearer}, {@code Basic}, {@code DPoP};
 *   <li>Latchkey API keys ({@code lk_} and 20 or more key characters);
 *   <li>values of secret-named keys ({@code access_token}, {@code refreshToken}, {@code
 *       client_secret}, {@code password}, {@code api_key}, {@code code}, {@code code_verifier}
 *       and their spellings) in {@code key=value}, {@code key: value}, {@code "key":"value"},
 *       escaped-JSON and URL query forms, including JDBC URLs;
 *   <li>passwords in URL user info ({@code scheme://user:password@host}).
 * </ul>
 *
 * It works on shapes, so it also masks harmless values that look like secrets; that is the
 * intended trade.
 */
public final class Redactor {
    private static final String MARK = "[redacted";
    private static final int FINGERPRINT_MIN_LENGTH = 16;

    // Key names in camelCase, snake_case and kebab-case. A key may end a longer name ("db_password",
    // "oauth.refreshToken"): the match simply starts inside it, which keeps every rule linear in the
    // input (a lazy name prefix would be quadratic on a long blob). Only the short and common
    // "code" must stand alone, so that "status_code=200" stays readable.
    private static final String SECRET_WORDS = "(?:access|refresh|id|subject|actor|session|auth|bearer)[_-]?token"
            + "|client[_-]?secret|client[_-]?assertion|code[_-]?verifier|api[_-]?key|x[_-]api[_-]key"
            + "|private[_-]?key|secret|passw(?:or)?d|pwd|token|assertion|authorization|cookie";
    private static final String KEY = "(?:(?i:" + SECRET_WORDS + ")|(?<![A-Za-z0-9_.-])(?i:code))";

    // A value already replaced is left alone, so patterns can run one after the other.
    private static final String NOT_MARKED = "(?!\\[redacted)";

    // "token_type=Bearer expires_in=3600": the word after a scheme is a key, not a credential.
    // Base64 padding ("dXNlcjpwYXNz=") is told apart because nothing but '=' or the end follows it.
    private static final String NOT_KEY_VALUE = "(?![A-Za-z_][A-Za-z0-9_]*(?:=[^=\\s]|:))";

    // Every rule is linear in its input (see the regression tests with 64 KiB inputs): unterminated
    // values run to the end of the text, and no unbounded run is rescanned from each position.
    private static final List<Rule> RULES = List.of(
            // JWS has three segments, JWE five; the signature may be empty (alg "none"). A token
            // starts where a base64url run starts, so "eyJeyJeyJ..." is scanned once, not per "eyJ".
            new RegexRule(
                    Pattern.compile("(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]+(?:\\.[A-Za-z0-9_-]*){2,4}"),
                    m -> mask(m.group())),
            new RegexRule(Pattern.compile("(?<![A-Za-z0-9])lk_[A-Za-z0-9_-]{20,}"), m -> mask(m.group())),
            new RegexRule(
                    Pattern.compile(
                            "(?i)\\b(Bearer|Basic|DPoP)(\\s+)" + NOT_MARKED + NOT_KEY_VALUE + "([A-Za-z0-9._~+/=-]+)"),
                    m -> m.group(1) + m.group(2) + mask(m.group(3))),
            // "key":"value" and key="value": the whole JSON string, escapes included.
            new JsonStringRule(Pattern.compile(KEY + "\"?\\s*[:=]\\s*\"" + NOT_MARKED)),
            // \"key\":\"value\" — JSON embedded in a JSON string, e.g. an upstream error body;
            // an unterminated value is masked to the end.
            new RegexRule(
                    Pattern.compile("(" + KEY + "\\\\\"\\s*:\\s*\\\\\")" + NOT_MARKED + "(.*?)(\\\\\"|$)"),
                    m -> m.group(1) + mask(m.group(2)) + m.group(3)),
            // 'key': 'value' and key='value'.
            new RegexRule(
                    Pattern.compile("(" + KEY + "'?\\s*[:=]\\s*')" + NOT_MARKED + "([^']*)('|$)"),
                    m -> m.group(1) + mask(m.group(2)) + m.group(3)),
            // key=value, key: value and URL query parameters (also JDBC "?password=" / ";password=").
            new RegexRule(
                    Pattern.compile("(" + KEY + "\\s*[:=]\\s*)" + NOT_MARKED + "([^\\s&,;)\\]}<>\"']+)"),
                    m -> m.group(1) + mask(m.group(2))),
            // scheme://user:password@host. Scheme and user are bounded so that a long run of
            // scheme characters is not rescanned from every position.
            new RegexRule(
                    Pattern.compile("(\\b[A-Za-z][A-Za-z0-9+.-]{0,31}://[^\\s:/@]{1,256}:)" + NOT_MARKED
                            + "([^\\s@/]{1,1024})(@)"),
                    m -> m.group(1) + mask(m.group(2)) + m.group(3)));

    private Redactor() {}

    /** The text with every secret-shaped value replaced; text without one is returned as it is. */
    public static String redact(String text) {
        return mayHoldSecret(text) ? applyRules(text) : text;
    }

    /** Every rule, in order, without the pre-check (for the test that the pre-check is sound). */
    static String applyRules(String text) {
        String result = text;
        for (Rule rule : RULES) {
            result = rule.apply(result);
        }
        return result;
    }

    /**
     * A conservative pre-check that lets most log text (access-log lines, request ids, thread
     * names) skip the rules: every rule above needs at least one of {@code :} or {@code =} (all
     * key/value forms and URL user-info), {@code eyJ} (JWTs), {@code lk_} (API keys) or an
     * authorization scheme word, matched ASCII-case-insensitively as the rule does. Text with none
     * of them cannot match any rule. Keep this in step with {@link #RULES}.
     */
    static boolean mayHoldSecret(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == ':' || c == '=') {
                return true;
            }
            if ((c == 'e' && text.startsWith("eyJ", i))
                    || (c == 'l' && text.startsWith("lk_", i))
                    || ((c == 'b' || c == 'B')
                            && (text.regionMatches(true, i, "bearer", 0, 6)
                                    || text.regionMatches(true, i, "basic", 0, 5)))
                    || ((c == 'd' || c == 'D') && text.regionMatches(true, i, "dpop", 0, 4))) {
                return true;
            }
        }
        return false;
    }

    private static String mask(String value) {
        if (value.startsWith(MARK)) {
            return value;
        }
        if (value.length() < FINGERPRINT_MIN_LENGTH) {
            return "[redacted]";
        }
        return "[redacted:sha256:" + Secret.sha256Hex(value).substring(0, 12) + "]";
    }

    /** One way of finding secret values in text. */
    private interface Rule {
        String apply(String text);
    }

    private record RegexRule(Pattern pattern, Function<MatchResult, String> replacement) implements Rule {
        @Override
        public String apply(String text) {
            Matcher matcher = pattern.matcher(text);
            if (!matcher.find()) {
                return text;
            }
            return matcher.replaceAll(match -> Matcher.quoteReplacement(replacement.apply(match)));
        }
    }

    /**
     * Masks the JSON string that follows each match of {@code opener}, up to its closing quote (or
     * the end of the text when it has none). The end is found by a loop, not a regex: a regex loop
     * over escapes recurses once per repetition and overflows the stack on a long value.
     */
    private record JsonStringRule(Pattern opener) implements Rule {
        @Override
        public String apply(String text) {
            Matcher matcher = opener.matcher(text);
            StringBuilder out = new StringBuilder(text.length());
            int copied = 0;
            int from = 0;
            while (from < text.length() && matcher.find(from)) {
                int start = matcher.end();
                int end = closingQuote(text, start);
                out.append(text, copied, start).append(mask(text.substring(start, end)));
                copied = end;
                from = end + 1;
            }
            return copied == 0 ? text : out.append(text, copied, text.length()).toString();
        }

        private static int closingQuote(String text, int start) {
            for (int i = start; i < text.length(); i++) {
                char c = text.charAt(i);
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    return i;
                }
            }
            return text.length();
        }
    }
}
