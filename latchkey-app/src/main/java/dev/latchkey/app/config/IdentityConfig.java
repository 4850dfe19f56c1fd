package dev.latchkey.app.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How a tenant maps a validated token to a local user: whether a verified e-mail may link a new
 * {@code (issuer, subject)} to an existing user (persisted once), whether unknown users are
 * provisioned just in time, which claim carries group names, and which Latchkey roles each group
 * grants (only what the administrator maps here; nothing by default).
 *
 * @param roleMapping group (or role) value, matched exactly, to the Latchkey roles it grants
 * @param groupDirectory where the groups are looked up when Entra's groups overage leaves them out
 *     of the token; none by default
 */
public record IdentityConfig(
        boolean linkVerifiedEmail,
        Provisioning provisioning,
        String groupsClaim,
        Map<String, List<String>> roleMapping,
        Optional<GroupDirectoryConfig> groupDirectory) {

    /** What happens to a valid token of an unknown user. */
    public enum Provisioning {
        /** Refused: users must exist. */
        OFF,
        /** Created on first sight. */
        JIT
    }

    /** Rejects a blank claim name and copies the mapping, keeping the file's order. */
    public IdentityConfig {
        if (groupsClaim.isBlank()) {
            throw new IllegalArgumentException("groupsClaim must not be blank");
        }
        Map<String, List<String>> copy = new LinkedHashMap<>();
        roleMapping.forEach((group, roles) -> copy.put(group, List.copyOf(roles)));
        roleMapping = Collections.unmodifiableMap(copy);
    }

    /** Without a group directory. */
    public IdentityConfig(
            boolean linkVerifiedEmail,
            Provisioning provisioning,
            String groupsClaim,
            Map<String, List<String>> roleMapping) {
        this(linkVerifiedEmail, provisioning, groupsClaim, roleMapping, Optional.empty());
    }

    /** Without role mapping. */
    public IdentityConfig(boolean linkVerifiedEmail, Provisioning provisioning, String groupsClaim) {
        this(linkVerifiedEmail, provisioning, groupsClaim, Map.of());
    }
}
