package dev.latchkey.core.grant;

import java.util.regex.Pattern;

/**
 * The name under which a tenant configures a downstream resource (an MCP server, an API): letters,
 * digits, {@code .}, {@code _} and {@code -}, 1 to 128 characters, starting with a letter or digit.
 */
public record ResourceName(String value) {
    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    /**
     * Validates the value.
     *
     * @throws IllegalArgumentException naming the rule the value breaks
     */
    public ResourceName {
        if (!VALID.matcher(value).matches()) {
            throw new IllegalArgumentException(
                    "resource name must be 1-128 characters of A-Z, a-z, 0-9, '.', '_' or '-', starting"
                            + " with a letter or digit");
        }
    }

    public static ResourceName of(String value) {
        return new ResourceName(value);
    }

    @Override
    public String toString() {
        return value;
    }
}
