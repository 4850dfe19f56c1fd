package dev.latchkey.core.identity;

import dev.latchkey.core.tenant.TenantId;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A local user of one tenant. The email is kept lower-case so that lookups by email agree on every
 * database; it links another identity to this user only while {@code emailVerified} is true.
 *
 * @param tenant the user's tenant
 * @param id the user's id, unique within the tenant
 * @param email the email address, lower-case, if known
 * @param emailVerified whether an issuer asserted the email as verified with a boolean {@code true}
 * @param groups the groups last synced from the user's token claims
 */
public record User(TenantId tenant, UserId id, @Nullable String email, boolean emailVerified, Set<String> groups) {

    /**
     * Normalises the email to lower case and copies the groups.
     *
     * @throws IllegalArgumentException if the email is verified but absent
     */
    public User {
        email = email == null ? null : email.toLowerCase(Locale.ROOT);
        if (emailVerified && email == null) {
            throw new IllegalArgumentException("a verified email must be present");
        }
        groups = Set.copyOf(groups);
    }

    public Optional<String> emailIfKnown() {
        return Optional.ofNullable(email);
    }

    /** This user with other groups. */
    public User withGroups(Set<String> newGroups) {
        return new User(tenant, id, email, emailVerified, newGroups);
    }
}
