package dev.latchkey.core.identity;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The name of a claim holding a list of strings, or a dotted path into nested claims such as
 * Keycloak's {@code realm_access.roles} or {@code resource_access.latchkey.roles}. Each segment is
 * 1 to 64 characters of letters, digits, {@code _}, {@code -}, {@code :} or {@code /}; at most 8
 * segments.
 *
 * @param segments the path's segments, outermost first
 */
public record ClaimPath(List<String> segments) {
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9_:/-]{1,64}");
    private static final int MAX_SEGMENTS = 8;

    /**
     * Validates the segments.
     *
     * @throws IllegalArgumentException naming the rule broken
     */
    public ClaimPath {
        segments = List.copyOf(segments);
        if (segments.isEmpty() || segments.size() > MAX_SEGMENTS) {
            throw new IllegalArgumentException("a claim path has 1 to 8 segments");
        }
        for (String segment : segments) {
            if (!SEGMENT.matcher(segment).matches()) {
                throw new IllegalArgumentException(
                        "each claim path segment is 1-64 characters of A-Z, a-z, 0-9, '_', '-', ':' or '/'");
            }
        }
    }

    /**
     * Parses {@code groups}, {@code roles} or a dotted path like {@code realm_access.roles}.
     *
     * @throws IllegalArgumentException naming the rule broken
     */
    public static ClaimPath parse(String path) {
        return new ClaimPath(List.of(path.split("\\.", -1)));
    }

    /** The top-level claim name, as Entra's {@code _claim_names} refers to it. */
    public String claimName() {
        return segments.getFirst();
    }

    /**
     * The strings at this path: a single string is one value, an array contributes its string
     * elements (other elements are ignored). Empty if any segment is missing or not an object, or
     * the value is neither a string nor an array.
     */
    public Optional<Set<String>> valuesIn(Map<String, Object> claims) {
        Object current = claims;
        for (String segment : segments) {
            if (!(current instanceof Map<?, ?> object)) {
                return Optional.empty();
            }
            Object next = object.get(segment);
            if (next == null) {
                return Optional.empty();
            }
            current = next;
        }
        if (current instanceof String single) {
            return Optional.of(Set.of(single));
        }
        if (current instanceof Collection<?> many) {
            List<String> values = new ArrayList<>();
            for (Object element : many) {
                if (element instanceof String text) {
                    values.add(text);
                }
            }
            return Optional.of(Set.copyOf(new LinkedHashSet<>(values)));
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return String.join(".", segments);
    }
}
