package dev.latchkey.core.identity;

/**
 * A local user's identifier within one tenant. It is opaque: 1 to 255 characters without control
 * characters. A user id alone never identifies a user; it is always paired with a tenant.
 */
public record UserId(String value) {

    /**
     * Validates the value.
     *
     * @throws IllegalArgumentException naming the rule the value breaks
     */
    public UserId {
        if (value.isEmpty() || value.length() > 255) {
            throw new IllegalArgumentException("user id must be 1-255 characters");
        }
        if (value.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("user id must not contain control characters");
        }
    }

    public static UserId of(String value) {
        return new UserId(value);
    }

    @Override
    public String toString() {
        return value;
    }
}
