package dev.latchkey.core.identity;

import java.util.regex.Pattern;

/**
 * The public part of an API key: 16 base62 characters (about 95 bits), chosen at random. It names
 * the key in lists, audit events and lookups; alone it authenticates nothing.
 */
public record ApiKeyId(String value) {
    static final int LENGTH = 16;
    private static final Pattern VALID = Pattern.compile("[0-9A-Za-z]{" + LENGTH + "}");

    /**
     * Validates the value.
     *
     * @throws IllegalArgumentException if it is not 16 base62 characters (the value is not echoed)
     */
    public ApiKeyId {
        if (!VALID.matcher(value).matches()) {
            throw new IllegalArgumentException("API key id must be 16 characters of 0-9, A-Z, a-z");
        }
    }

    public static ApiKeyId of(String value) {
        return new ApiKeyId(value);
    }

    static boolean isValid(String value) {
        return VALID.matcher(value).matches();
    }

    @Override
    public String toString() {
        return value;
    }
}
