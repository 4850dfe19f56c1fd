package dev.latchkey.core.identity;

import dev.latchkey.core.tenant.TenantId;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Where local users and their identity bindings live. Every method is scoped to one tenant: no
 * call can read or change another tenant's users. A binding (tenant, issuer, subject) → user is
 * written at most once and never changed; concurrent writers of one binding agree on one winner.
 * Implementations are thread-safe; an unreachable store throws an unchecked exception of the
 * adapter (never an empty answer).
 */
public interface UserDirectory {

    /** The user a binding points to, if the identity is bound. */
    Optional<User> findByIdentity(ExternalIdentity identity);

    /** A user by id within its tenant. */
    Optional<User> find(TenantId tenant, UserId user);

    /**
     * The users of {@code tenant} whose email equals {@code email} (compared lower-case) and is
     * verified. Unverified emails never match.
     */
    List<User> findByVerifiedEmail(TenantId tenant, String email);

    /**
     * Binds an identity to an existing user of the identity's tenant, once. If the identity is
     * already bound (also by a concurrent caller a moment earlier), nothing changes and the user it
     * is bound to is returned, which may be another user than {@code user}.
     *
     * @throws IllegalArgumentException if {@code user} does not exist in the identity's tenant
     */
    User bind(ExternalIdentity identity, UserId user);

    /**
     * Creates {@code user} and binds {@code identity} to it atomically (both or neither). If the
     * identity is already bound (also by a concurrent caller), no user is created and the bound
     * user is returned instead; callers tell the two apart by comparing ids.
     *
     * @throws IllegalArgumentException if the user's tenant differs from the identity's
     */
    User provision(User user, ExternalIdentity identity);

    /** Replaces a user's groups; returns false if the user does not exist in the tenant. */
    boolean updateGroups(TenantId tenant, UserId user, Set<String> groups);
}
