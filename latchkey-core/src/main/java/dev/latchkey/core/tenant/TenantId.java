package dev.latchkey.core.tenant;

import java.util.regex.Pattern;

/**
 * A tenant's identifier: lower-case letters, digits, {@code -} and {@code _}, 1 to 63 characters,
 * starting with a letter or digit. The narrow alphabet keeps it safe in URLs, headers, log lines
 * and metric labels.
 */
public record TenantId(String value) {
    private static final Pattern VALID = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");

    /**
     * Validates the value.
     *
     * @throws IllegalArgumentException naming the rule the value breaks
     */
    public TenantId {
        if (!VALID.matcher(value).matches()) {
            throw new IllegalArgumentException(
                    "tenant id must be 1-63 characters of a-z, 0-9, '-' or '_', starting with a letter or" + " digit");
        }
    }

    public static TenantId of(String value) {
        return new TenantId(value);
    }

    @Override
    public String toString() {
        return value;
    }
}
