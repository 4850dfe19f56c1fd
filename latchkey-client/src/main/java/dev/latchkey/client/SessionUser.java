package dev.latchkey.client;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The user a Latchkey session belongs to, as the server described it: id, tenant, optional
 * e-mail address, groups and roles. Immutable; the lists keep the server's order.
 */
public final class SessionUser {
    private final String id;
    private final String tenant;
    private final @Nullable String email;
    private final List<String> groups;
    private final List<String> roles;

    /** A user without an e-mail address; add one with {@link #withEmail(String)}. */
    public SessionUser(String id, String tenant, List<String> groups, List<String> roles) {
        this(id, tenant, null, groups, roles);
    }

    private SessionUser(String id, String tenant, @Nullable String email, List<String> groups, List<String> roles) {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(tenant, "tenant");
        if (id.isEmpty() || tenant.isEmpty()) {
            throw new IllegalArgumentException("a session user needs a non-empty id and tenant");
        }
        this.id = id;
        this.tenant = tenant;
        this.email = email;
        this.groups = List.copyOf(groups);
        this.roles = List.copyOf(roles);
    }

    /** This user with the given e-mail address. */
    public SessionUser withEmail(String email) {
        Objects.requireNonNull(email, "email");
        return new SessionUser(id, tenant, email, groups, roles);
    }

    public String id() {
        return id;
    }

    public String tenant() {
        return tenant;
    }

    /** The e-mail address, when the server named one. */
    public Optional<String> email() {
        return Optional.ofNullable(email);
    }

    public List<String> groups() {
        return groups;
    }

    public List<String> roles() {
        return roles;
    }

    @Override
    public boolean equals(@Nullable Object other) {
        return other instanceof SessionUser that
                && id.equals(that.id)
                && tenant.equals(that.tenant)
                && Objects.equals(email, that.email)
                && groups.equals(that.groups)
                && roles.equals(that.roles);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, tenant, email, groups, roles);
    }

    @Override
    public String toString() {
        return "SessionUser[id=" + id + ", tenant=" + tenant + ", groups=" + groups + ", roles=" + roles + "]";
    }
}
