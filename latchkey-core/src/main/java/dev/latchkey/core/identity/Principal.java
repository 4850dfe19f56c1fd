package dev.latchkey.core.identity;

import dev.latchkey.core.tenant.TenantId;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Who is calling, once authenticated: a user of one tenant, a service principal of that tenant
 * acting for itself, or an API key's owner. Carries the Latchkey scopes the credential grants.
 *
 * @param tenant the tenant the credential belongs to; a principal never acts outside it
 * @param user the local user (for a service, its service id)
 * @param kind how the caller authenticated
 * @param email the user's email, if known
 * @param groups the user's groups / roles as synced from claims
 * @param scopes the scopes the credential grants
 * @param roles the Latchkey roles the tenant's administrator mapped the user's groups to ({@link
 *     IdentityPolicy#roleMapping()}); only a user's own bearer token or login carries roles, never
 *     an API key or a service acting for a user, which are limited to their scopes
 */
public record Principal(
        TenantId tenant,
        UserId user,
        Kind kind,
        @Nullable String email,
        Set<String> groups,
        Set<String> scopes,
        Set<String> roles) {

    /** How the principal authenticated. */
    public enum Kind {
        /** A user's bearer token from one of the tenant's identity providers. */
        USER,
        /** A trusted backend's client-credentials token or service API key. */
        SERVICE,
        /** A user's API key. */
        API_KEY
    }

    public Principal {
        groups = Set.copyOf(groups);
        scopes = Set.copyOf(scopes);
        roles = Set.copyOf(roles);
    }

    /** A principal without roles. */
    public Principal(
            TenantId tenant, UserId user, Kind kind, @Nullable String email, Set<String> groups, Set<String> scopes) {
        this(tenant, user, kind, email, groups, scopes, Set.of());
    }

    public Optional<String> emailIfKnown() {
        return Optional.ofNullable(email);
    }
}
