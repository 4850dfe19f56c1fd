package dev.latchkey.app.config;

import dev.latchkey.core.secret.Secret;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * Reads the keys of one YAML mapping against the schema: reports unknown keys, wrong types,
 * missing keys and values that break a rule, each at its full path, and remembers whether anything
 * here was wrong so that no record is built from a placeholder. Accessors return a fallback (the
 * default, an empty text, {@code null} for optional values) after reporting a problem, so that
 * reading continues and every problem of the file is found in one run.
 *
 * <p>Messages never quote values: the path names the key, and a value may be a secret.
 */
final class MappingReader {
    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h|d)");
    private static final Set<String> LOOPBACK_HOSTS = Set.of("127.0.0.1", "[::1]", "::1", "localhost");
    private static final List<String> SECRET_FILE_KEYS = List.of("file");

    private final ValidationContext context;
    private final String path;
    private final JsonNode node;
    private boolean valid = true;

    private MappingReader(ValidationContext context, String path, JsonNode node) {
        this.context = context;
        this.path = path;
        this.node = node;
    }

    /** How strictly a URL is checked. */
    enum UrlKind {
        /** {@code http} or {@code https}, any host. */
        ANY_HTTP,
        /** {@code https}; {@code http} only on loopback hosts with development.allowInsecureHttp. */
        SECURE,
        /** As {@link #SECURE}, and no query (OpenID Connect Discovery 1.0 §2: issuer identifier). */
        ISSUER
    }

    /** An element of a YAML list with its path. */
    record Element(String path, JsonNode node) {}

    /**
     * Opens the mapping at {@code path}, reporting each key not in {@code allowedKeys}. An absent or
     * null node reads as an empty mapping; a node of another type is reported and yields {@code null}.
     */
    static @Nullable MappingReader open(
            ValidationContext context, String path, @Nullable JsonNode node, List<String> allowedKeys) {
        if (node == null || node.isNull()) {
            return new MappingReader(context, path, context.emptyMapping());
        }
        if (!node.isObject()) {
            context.problem(path, "expected a mapping, got " + kind(node));
            return null;
        }
        MappingReader reader = new MappingReader(context, path, node);
        for (String key : node.propertyNames()) {
            if (!allowedKeys.contains(key)) {
                context.problem(
                        KeyPaths.child(path, key),
                        "unknown key '" + key + "'; allowed keys here: " + String.join(", ", allowedKeys));
                reader.valid = false;
            }
        }
        return reader;
    }

    String path() {
        return path;
    }

    String childPath(String key) {
        return KeyPaths.child(path, key);
    }

    /** True when nothing read from this mapping (or reported through it) was wrong. */
    boolean valid() {
        return valid;
    }

    /** Marks this mapping wrong because something nested in it was. */
    void invalidate() {
        valid = false;
    }

    /** Reports a problem at one of this mapping's keys. */
    void problem(String key, String message) {
        problemAt(childPath(key), message);
    }

    void problemAt(String fullPath, String message) {
        context.problem(fullPath, message);
        valid = false;
    }

    /** Whether the key is present with a non-null value. */
    boolean has(String key) {
        JsonNode value = node.get(key);
        return value != null && !value.isNull();
    }

    /** Whether the key holds a mapping. */
    boolean isMapping(String key) {
        JsonNode value = node.get(key);
        return value != null && value.isObject();
    }

    String text(String key, String defaultValue) {
        String value = optionalText(key);
        return value == null ? defaultValue : value;
    }

    String requiredText(String key) {
        if (!has(key) && !unresolved(childPath(key))) {
            problem(key, "is required");
            return "";
        }
        String value = optionalText(key);
        return value == null ? "" : value;
    }

    /** The non-blank text at this key, or {@code null} when absent or wrong (then reported). */
    @Nullable
    String optionalText(String key) {
        return textAt(childPath(key), node.get(key));
    }

    private @Nullable String textAt(String fullPath, @Nullable JsonNode value) {
        if (unresolved(fullPath) || value == null || value.isNull()) {
            return null;
        }
        if (!value.isString()) {
            String hint = value.isNumber() || value.isBoolean() ? " (put it in quotes to make it text)" : "";
            problemAt(fullPath, "expected text, got " + kind(value) + hint);
            return null;
        }
        if (value.stringValue().isBlank()) {
            problemAt(fullPath, "must not be empty");
            return null;
        }
        return value.stringValue();
    }

    int integer(String key, int defaultValue, int min, int max) {
        JsonNode value = node.get(key);
        String fullPath = childPath(key);
        if (unresolved(fullPath) || value == null || value.isNull()) {
            return defaultValue;
        }
        long number;
        if (value.isIntegralNumber() && value.canConvertToLong()) {
            number = value.longValue();
        } else if (value.isString() && context.origins.isInterpolated(fullPath)) {
            try {
                number = Long.parseLong(value.stringValue().strip());
            } catch (NumberFormatException e) {
                problemAt(fullPath, "expected a whole number, got text");
                return defaultValue;
            }
        } else {
            problemAt(fullPath, "expected a whole number, got " + kind(value));
            return defaultValue;
        }
        if (number < min || number > max) {
            problemAt(fullPath, "must be between " + min + " and " + max);
            return defaultValue;
        }
        return (int) number;
    }

    boolean bool(String key, boolean defaultValue) {
        JsonNode value = node.get(key);
        String fullPath = childPath(key);
        if (unresolved(fullPath) || value == null || value.isNull()) {
            return defaultValue;
        }
        if (value.isBoolean()) {
            return value.booleanValue();
        }
        if (value.isString() && context.origins.isInterpolated(fullPath)) {
            String text = value.stringValue().strip();
            if (text.equals("true") || text.equals("false")) {
                return Boolean.parseBoolean(text);
            }
        }
        problemAt(fullPath, "expected true or false, got " + kind(value));
        return defaultValue;
    }

    /** A duration such as {@code 10s}, {@code 500ms}, {@code 5m} or {@code 1h}. */
    Duration duration(String key, Duration defaultValue) {
        JsonNode value = node.get(key);
        String fullPath = childPath(key);
        if (unresolved(fullPath) || value == null || value.isNull()) {
            return defaultValue;
        }
        Matcher matcher =
                value.isString() ? DURATION.matcher(value.stringValue().strip()) : null;
        if (matcher == null || !matcher.matches()) {
            problemAt(
                    fullPath,
                    "expected a duration such as 500ms, 10s, 5m, 1h or 7d, got "
                            + (value.isString() ? "text without a unit" : kind(value)));
            return defaultValue;
        }
        long amount = Long.parseLong(matcher.group(1));
        return switch (matcher.group(2)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            case "d" -> Duration.ofDays(amount);
            default -> Duration.ofHours(amount);
        };
    }

    /** One of the named choices, matched without regard to case. */
    <E extends Enum<E>> E choice(String key, E defaultValue, Map<String, E> choices) {
        String fullPath = childPath(key);
        String text = optionalText(key);
        if (text == null) {
            return defaultValue;
        }
        E chosen = choices.get(text.strip().toLowerCase(Locale.ROOT));
        if (chosen == null) {
            problemAt(fullPath, "must be one of " + String.join(", ", choices.keySet()));
            return defaultValue;
        }
        return chosen;
    }

    /** A list of non-empty texts; absent means {@code defaultValue}. */
    List<String> texts(String key, List<String> defaultValue) {
        if (!has(key) && !unresolved(childPath(key))) {
            return defaultValue;
        }
        List<String> values = new ArrayList<>();
        for (Element element : list(key)) {
            if (element.node().isNull()) {
                problemAt(element.path(), "must not be empty");
                continue;
            }
            String text = textAt(element.path(), element.node());
            if (text != null && !values.contains(text)) {
                values.add(text);
            }
        }
        return List.copyOf(values);
    }

    /** A list of at least one non-empty text. */
    List<String> requiredTexts(String key) {
        if (!has(key)) {
            if (!unresolved(childPath(key))) {
                problem(key, "is required");
            }
            return List.of();
        }
        JsonNode value = node.get(key);
        if (value != null && value.isArray() && value.isEmpty()) {
            problem(key, "must list at least one value");
            return List.of();
        }
        return texts(key, List.of());
    }

    /** The elements of the list at this key; empty when absent, reported when not a list. */
    List<Element> list(String key) {
        JsonNode value = node.get(key);
        String fullPath = childPath(key);
        if (unresolved(fullPath) || value == null || value.isNull()) {
            return List.of();
        }
        if (!value.isArray()) {
            problemAt(fullPath, "expected a list, got " + kind(value));
            return List.of();
        }
        List<Element> elements = new ArrayList<>();
        for (int i = 0; i < value.size(); i++) {
            elements.add(new Element(KeyPaths.index(fullPath, i), value.get(i)));
        }
        return List.copyOf(elements);
    }

    /** The entries of a mapping with keys chosen by the user (tenant ids, resource names). */
    List<Map.Entry<String, JsonNode>> entries(String key) {
        JsonNode value = node.get(key);
        String fullPath = childPath(key);
        if (unresolved(fullPath) || value == null || value.isNull()) {
            return List.of();
        }
        if (!value.isObject()) {
            problemAt(fullPath, "expected a mapping, got " + kind(value));
            return List.of();
        }
        return List.copyOf(value.properties());
    }

    /** A mapping of names to texts (empty when absent); entries that are not text are reported. */
    Map<String, String> textMap(String key) {
        Map<String, String> texts = new java.util.LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> entry : entries(key)) {
            String fullPath = KeyPaths.child(childPath(key), entry.getKey());
            JsonNode value = entry.getValue();
            if (unresolved(fullPath)) {
                continue;
            }
            if (value == null || !(value.isString() || value.isNumber() || value.isBoolean())) {
                problemAt(fullPath, "expected text, got " + (value == null ? "nothing" : kind(value)));
                continue;
            }
            texts.put(entry.getKey(), value.isString() ? value.stringValue() : value.asString());
        }
        return texts;
    }

    /** The nested mapping at this key (empty when absent), or {@code null} when it is not a mapping. */
    @Nullable
    MappingReader mapping(String key, List<String> allowedKeys) {
        MappingReader nested = open(context, childPath(key), node.get(key), allowedKeys);
        if (nested == null) {
            valid = false;
        }
        return nested;
    }

    /** An absolute URL obeying {@code kind}, or {@code null} when absent or wrong (then reported). */
    @Nullable
    URI url(String key, UrlKind kind, boolean required) {
        String fullPath = childPath(key);
        if (required && !has(key) && !unresolved(fullPath)) {
            problem(key, "is required");
            return null;
        }
        String text = optionalText(key);
        return text == null ? null : urlAt(fullPath, text, kind);
    }

    @Nullable
    URI urlAt(String fullPath, String text, UrlKind kind) {
        URI uri;
        try {
            uri = new URI(text.strip());
        } catch (URISyntaxException e) {
            problemAt(fullPath, "is not a valid URL (" + e.getReason() + " at character " + (e.getIndex() + 1) + ")");
            return null;
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!uri.isAbsolute() || uri.getHost() == null) {
            problemAt(fullPath, "must be an absolute URL such as https://host.example.com/path");
            return null;
        }
        if (!scheme.equals("https") && !scheme.equals("http")) {
            problemAt(fullPath, "must be an https URL");
            return null;
        }
        if (uri.getRawUserInfo() != null) {
            problemAt(fullPath, "must not contain a user name or password");
            return null;
        }
        if (uri.getRawFragment() != null) {
            problemAt(fullPath, "must not contain a fragment (#...)");
            return null;
        }
        if (kind == UrlKind.ISSUER && uri.getRawQuery() != null) {
            problemAt(fullPath, "must not contain a query (?...): an issuer identifier has none");
            return null;
        }
        if (kind != UrlKind.ANY_HTTP && scheme.equals("http") && !insecureAllowed(uri.getHost())) {
            problemAt(fullPath, httpsRequired());
            return null;
        }
        return uri;
    }

    /** Why an {@code http} URL was refused, and how development may allow it. */
    String httpsRequired() {
        return context.allowInsecureHttp()
                ? "must use https (http is allowed only on loopback hosts: 127.0.0.1, ::1, localhost)"
                : "must use https (set development.allowInsecureHttp: true to allow http on loopback hosts)";
    }

    boolean insecureAllowed(String host) {
        return context.allowInsecureHttp() && isLoopback(host);
    }

    static boolean isLoopback(String host) {
        return LOOPBACK_HOSTS.contains(host.toLowerCase(Locale.ROOT));
    }

    /**
     * A secret: text (interpolated from the environment, or written in the file, which is allowed
     * with a warning) or {@code {file: path}}, whose content, without its final line break, is the
     * secret. {@code null} when absent or wrong (then reported).
     */
    @Nullable
    Secret secret(String key) {
        String fullPath = childPath(key);
        JsonNode value = node.get(key);
        if (unresolved(fullPath) || value == null || value.isNull()) {
            return null;
        }
        if (value.isObject()) {
            return secretFile(key, value);
        }
        if (!value.isString()) {
            problemAt(fullPath, "expected text or {file: path}, got " + kind(value));
            return null;
        }
        if (value.stringValue().isEmpty()) {
            problemAt(fullPath, "must not be empty");
            return null;
        }
        if (context.origins.isWrittenInFile(fullPath)) {
            context.warning(
                    fullPath,
                    "secret written in plain text in the configuration file; use ${ENV_VAR} or {file: path}"
                            + " instead");
        }
        return Secret.of(value.stringValue());
    }

    private @Nullable Secret secretFile(String key, JsonNode value) {
        MappingReader reference = open(context, childPath(key), value, SECRET_FILE_KEYS);
        if (reference == null) {
            valid = false;
            return null;
        }
        String file = reference.requiredText("file");
        if (!reference.valid()) {
            valid = false;
            return null;
        }
        String filePath = reference.childPath("file");
        String content;
        try {
            content = Files.readString(Path.of(file), StandardCharsets.UTF_8);
        } catch (IOException | InvalidPathException e) {
            problemAt(filePath, "cannot read the secret file (" + e.getClass().getSimpleName() + ")");
            return null;
        }
        String secret = content.endsWith("\r\n")
                ? content.substring(0, content.length() - 2)
                : content.endsWith("\n") ? content.substring(0, content.length() - 1) : content;
        if (secret.isEmpty()) {
            problemAt(filePath, "the secret file is empty");
            return null;
        }
        return Secret.of(secret);
    }

    private boolean unresolved(String fullPath) {
        if (context.origins.isUnresolved(fullPath)) {
            valid = false;
            return true;
        }
        return false;
    }

    static String kind(JsonNode value) {
        if (value.isString()) {
            return "text";
        }
        if (value.isBoolean()) {
            return "a boolean";
        }
        if (value.isNumber()) {
            return "a number";
        }
        if (value.isArray()) {
            return "a list";
        }
        if (value.isObject()) {
            return "a mapping";
        }
        return value.isNull() ? "nothing" : "a value of another kind";
    }
}
