package dev.latchkey.client;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A secret string (a bearer token, a refresh token, a downstream access token). Its {@link
 * #toString()} prints only a fingerprint, the first 8 hex digits of the value's SHA-256, so a
 * secret that is logged, concatenated into a message or shown by an assertion failure never
 * shows its value. It is deliberately not {@link java.io.Serializable}, and equality is
 * constant-time.
 */
public final class SecretValue {
    private final String value;

    private SecretValue(String value) {
        this.value = value;
    }

    /**
     * Wraps a secret. The value must not be empty; the message of the exception thrown otherwise
     * never contains it.
     */
    public static SecretValue of(String value) {
        Objects.requireNonNull(value, "value");
        if (value.isEmpty()) {
            throw new IllegalArgumentException("a secret value must not be empty");
        }
        return new SecretValue(value);
    }

    /** The plain value; call it only where the secret leaves the process by design. */
    public String reveal() {
        return value;
    }

    /** The first 8 hex digits of the value's SHA-256: enough to tell two secrets apart in a log. */
    public String fingerprint() {
        return sha256().substring(0, 8);
    }

    /** The full lower-case hex SHA-256 of the value. */
    String sha256() {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(digest.digest(value.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK provides SHA-256", e);
        }
    }

    @Override
    public boolean equals(@Nullable Object other) {
        return other instanceof SecretValue that
                && MessageDigest.isEqual(
                        value.getBytes(StandardCharsets.UTF_8), that.value.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public int hashCode() {
        return fingerprint().hashCode();
    }

    @Override
    public String toString() {
        return "sha256:" + fingerprint();
    }
}
