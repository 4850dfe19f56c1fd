package dev.latchkey.core.secret;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A secret value (access token, refresh token, client secret, API key). Its {@link #toString()}
 * prints only a short fingerprint, so a secret logged, concatenated into an exception message or
 * printed by a debugger never shows its value. Equality is constant-time.
 */
public final class Secret {
    private final String value;

    private Secret(String value) {
        this.value = value;
    }

    /**
     * Wraps a secret value.
     *
     * @throws IllegalArgumentException if the value is empty (the message never contains it)
     */
    public static Secret of(String value) {
        if (value.isEmpty()) {
            throw new IllegalArgumentException("a secret must not be empty");
        }
        return new Secret(value);
    }

    /** The plain value. Call only where the secret leaves the process by design (HTTP, cipher). */
    public String reveal() {
        return value;
    }

    /** The first 12 hex digits of the value's SHA-256: enough to tell secrets apart in a log. */
    public String fingerprint() {
        return sha256Hex(value).substring(0, 12);
    }

    /** The full lower-case hex SHA-256 of the value, as reported by callers of a rejected token. */
    public String sha256() {
        return sha256Hex(value);
    }

    /** The full lower-case hex SHA-256 of any text. */
    public static String sha256Hex(String text) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(digest.digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK provides SHA-256", e);
        }
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Secret that
                && MessageDigest.isEqual(
                        value.getBytes(StandardCharsets.UTF_8), that.value.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public int hashCode() {
        return fingerprint().hashCode();
    }

    @Override
    public String toString() {
        return "Secret[sha256:" + fingerprint() + "]";
    }
}
