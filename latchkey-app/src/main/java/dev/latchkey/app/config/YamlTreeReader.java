package dev.latchkey.app.config;

import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;
import tools.jackson.dataformat.yaml.YAMLParser;

/**
 * Reads YAML text into a {@link JsonNode} tree, token by token, so that it can report what a plain
 * {@code readTree} would hide or stop at: every duplicate key with its path, aliases (which
 * Jackson would silently turn into the alias name), and interpolation failures of every scalar.
 * Syntax errors end the reading with one problem carrying the parser's line and column, and never
 * a snippet of the file (it could hold a secret).
 */
final class YamlTreeReader {
    private static final YAMLMapper MAPPER = YAMLMapper.builder().build();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final Pattern MARK = Pattern.compile("line (\\d+), column (\\d+)");

    private final Interpolator interpolator;
    private final ScalarOrigins origins;
    private final List<ConfigProblem> problems;

    YamlTreeReader(Interpolator interpolator, ScalarOrigins origins, List<ConfigProblem> problems) {
        this.interpolator = interpolator;
        this.origins = origins;
        this.problems = problems;
    }

    /**
     * The document's tree (an empty mapping for an empty document), or {@code null} when the YAML
     * is malformed, in which case one problem says where.
     */
    @Nullable
    JsonNode read(String text) {
        try (JsonParser parser = MAPPER.createParser(text)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                return NODES.objectNode();
            }
            JsonNode root = value(parser, "");
            if (parser.nextToken() != null) {
                problems.add(new ConfigProblem(
                        "", at(parser.currentTokenLocation()) + "only one YAML document is allowed per file"));
                return null;
            }
            return root;
        } catch (JacksonException e) {
            problems.add(new ConfigProblem("", syntaxMessage(e)));
            return null;
        }
    }

    private JsonNode value(JsonParser parser, String path) {
        JsonToken token = parser.currentToken();
        return switch (token) {
            case START_OBJECT -> mapping(parser, path);
            case START_ARRAY -> list(parser, path);
            case VALUE_STRING -> scalar(parser, path);
            case VALUE_NUMBER_INT ->
                switch (parser.getNumberType()) {
                    case INT -> NODES.numberNode(parser.getIntValue());
                    case LONG -> NODES.numberNode(parser.getLongValue());
                    default -> NODES.numberNode(parser.getBigIntegerValue());
                };
            case VALUE_NUMBER_FLOAT -> NODES.numberNode(parser.getDoubleValue());
            case VALUE_TRUE -> NODES.booleanNode(true);
            case VALUE_FALSE -> NODES.booleanNode(false);
            case VALUE_NULL -> NODES.nullNode();
            default -> {
                problems.add(new ConfigProblem(path, "unsupported YAML value (" + describe(token) + ")"));
                origins.unresolved(path);
                yield NODES.nullNode();
            }
        };
    }

    private ObjectNode mapping(JsonParser parser, String path) {
        ObjectNode node = NODES.objectNode();
        while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
            String key = parser.currentName();
            String childPath = KeyPaths.child(path, key);
            TokenStreamLocation keyLocation = parser.currentTokenLocation();
            parser.nextToken();
            JsonNode child = value(parser, childPath);
            if (node.has(key)) {
                problems.add(new ConfigProblem(
                        childPath, at(keyLocation) + "duplicate key '" + key + "' (each key may appear once)"));
            } else {
                node.set(key, child);
            }
        }
        return node;
    }

    private ArrayNode list(JsonParser parser, String path) {
        ArrayNode node = NODES.arrayNode();
        while (parser.nextToken() != JsonToken.END_ARRAY) {
            node.add(value(parser, KeyPaths.index(path, node.size())));
        }
        return node;
    }

    private JsonNode scalar(JsonParser parser, String path) {
        if (parser instanceof YAMLParser yaml && yaml.isCurrentAlias()) {
            problems.add(new ConfigProblem(
                    path, at(parser.currentTokenLocation()) + "YAML aliases (*name) are not supported"));
            origins.unresolved(path);
            return NODES.nullNode();
        }
        String text = parser.getString();
        return switch (interpolator.interpolate(text)) {
            case Interpolator.Resolved resolved -> {
                if (resolved.interpolated()) {
                    origins.interpolated(path, resolved.usedDefault());
                } else {
                    origins.literal(path);
                }
                yield NODES.stringNode(resolved.value());
            }
            case Interpolator.Failed failed -> {
                failed.messages().forEach(message -> problems.add(new ConfigProblem(path, message)));
                origins.unresolved(path);
                yield NODES.stringNode("");
            }
        };
    }

    private static String describe(JsonToken token) {
        return token.name().toLowerCase(Locale.ROOT).replace('_', ' ');
    }

    private static String at(@Nullable TokenStreamLocation location) {
        return location == null ? "" : "line " + location.getLineNr() + ", column " + location.getColumnNr() + ": ";
    }

    /**
     * SnakeYAML's messages interleave descriptions with "in reader, line N, column M:" marks and
     * indented snippets of the file; keep the descriptions, take the last mark (where the problem
     * is) and drop the snippets.
     */
    static String syntaxMessage(JacksonException e) {
        String original = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
        TokenStreamLocation location = e.getLocation();
        String where = location == null ? "" : "line " + location.getLineNr() + ", column " + location.getColumnNr();
        Matcher mark = MARK.matcher(original);
        while (mark.find()) {
            where = "line " + mark.group(1) + ", column " + mark.group(2);
        }
        String description = original.lines()
                .filter(line -> !line.isBlank())
                .filter(line -> !Character.isWhitespace(line.charAt(0)))
                .map(String::strip)
                .collect(Collectors.joining(": "));
        return "malformed YAML" + (where.isEmpty() ? "" : " at " + where) + ": "
                + (description.isEmpty() ? "cannot be parsed" : description);
    }
}
