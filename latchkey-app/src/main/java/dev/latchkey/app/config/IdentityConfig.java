package dev.latchkey.app.config;

/**
 * How a tenant maps a validated token to a local user: whether a verified e-mail may link a new
 * {@code (issuer, subject)} to an existing user (persisted once), whether unknown users are
 * provisioned just in time, and which claim carries group names.
 */
public record IdentityConfig(boolean linkVerifiedEmail, Provisioning provisioning, String groupsClaim) {

    /** What happens to a valid token of an unknown user. */
    public enum Provisioning {
        /** Refused: users must exist. */
        OFF,
        /** Created on first sight. */
        JIT
    }

    /** Rejects a blank claim name. */
    public IdentityConfig {
        if (groupsClaim.isBlank()) {
            throw new IllegalArgumentException("groupsClaim must not be blank");
        }
    }
}
