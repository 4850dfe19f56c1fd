package dev.latchkey.core.identity;

import java.util.regex.Pattern;

/**
 * An API key as stored: its description and the keyed hash of its secret part, never the secret.
 * {@link #toString()} omits the hash.
 *
 * @param key the key's description
 * @param hash 64 lower-case hex digits: HMAC-SHA256 of the key under the deployment's pepper
 */
public record StoredApiKey(ApiKey key, String hash) {
    private static final Pattern HEX_SHA256 = Pattern.compile("[0-9a-f]{64}");

    /**
     * Validates the hash's form.
     *
     * @throws IllegalArgumentException if the hash is not 64 lower-case hex digits
     */
    public StoredApiKey {
        if (!HEX_SHA256.matcher(hash).matches()) {
            throw new IllegalArgumentException("API key hash must be 64 lower-case hex digits");
        }
    }

    @Override
    public String toString() {
        return "StoredApiKey[" + key + "]";
    }
}
