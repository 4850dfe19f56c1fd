package dev.latchkey.core.identity;

import dev.latchkey.core.audit.AuditEvent;
import dev.latchkey.core.audit.AuditLog;
import dev.latchkey.core.tenant.TenantId;
import java.time.Clock;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * Maps a validated token's identity to a local principal: the one identity-resolution service that
 * every entry path (bearer, browser login, exchange) uses. Rules, in order:
 *
 * <ol>
 *   <li>An existing binding (tenant, issuer, subject) wins.
 *   <li>A token of one of the tenant's {@linkplain ServicePolicy services} resolves to that service,
 *       with the service's configured scopes that the token also carries (in {@code scope}/{@code
 *       scp} or, as Entra puts app permissions, {@code roles}): the IdP's grant and the
 *       administrator's grant must both allow a scope. Services are never bound or provisioned.
 *   <li>With email linking on for the token's issuer, an {@code email} claim and {@code
 *       email_verified} exactly boolean {@code true}: if exactly one user of the tenant has that
 *       verified email, the identity is bound to it once (audit {@code identity.linked}); if
 *       several do, the result is {@link Resolution.Conflict} {@code ambiguous_email}. An email
 *       that matches a user but is not verified never links (audit {@code identity.link_refused}).
 *   <li>With just-in-time provisioning on, a new user is created and bound atomically (audit
 *       {@code identity.provisioned}); the email is kept, verified only if the token said so.
 *   <li>Otherwise {@link Resolution.Unknown} {@code user_not_provisioned}, and nothing is stored.
 * </ol>
 *
 * <p>When the tenant configures a groups claim and the token carries it, the user's groups are
 * replaced by the claim's values (at most {@value #MAX_GROUPS}, each 1-256 characters without
 * control characters; others are dropped). When the claim is absent the stored groups stay, except
 * that Entra's groups overage is resolved through the tenant's {@link GroupDirectory}; if that
 * fails, the stored groups stay and {@code identity.groups_sync_failed} is audited. Groups are
 * data for role mapping only: they never add scopes. A user's principal carries the roles its
 * groups are mapped to by the tenant's {@linkplain IdentityPolicy#roleMapping() role mapping}
 * (none without one); a service acting for a user gets no roles.
 *
 * <p>Thread-safe and stateless: concurrent first requests of one identity agree on one user
 * because the directory writes each binding once. Audit events carry ids, the issuer and codes,
 * never token text.
 */
public final class IdentityResolver {
    static final int MAX_GROUPS = 1000;
    private static final int MAX_GROUP_LENGTH = 256;
    private static final int MAX_EMAIL_LENGTH = 320;

    private final UserDirectory directory;
    private final IdentityPolicies policies;
    private final AuditLog audit;
    private final Clock clock;

    public IdentityResolver(UserDirectory directory, IdentityPolicies policies, AuditLog audit, Clock clock) {
        this.directory = directory;
        this.policies = policies;
        this.audit = audit;
        this.clock = clock;
    }

    /** Resolves a validated token's identity; see the class documentation for the rules. */
    public Resolution resolve(TokenIdentity token) {
        Optional<IdentityPolicy> found = policies.forTenant(token.tenant());
        if (found.isEmpty()) {
            return new Resolution.Unknown("unknown_tenant");
        }
        IdentityPolicy policy = found.get();
        ExternalIdentity identity = token.external();

        Optional<User> bound = directory.findByIdentity(identity);
        if (bound.isPresent()) {
            return resolved(syncGroups(bound.get(), token, policy), token, policy);
        }
        Optional<ServicePolicy> service = serviceOf(token, policy);
        if (service.isPresent()) {
            return new Resolution.Resolved(servicePrincipal(token.tenant(), service.get(), grantedScopes(token)));
        }
        Optional<String> email = email(token);
        if (email.isPresent() && policy.linksEmailFrom(token.issuer())) {
            List<User> candidates = directory.findByVerifiedEmail(token.tenant(), email.get());
            if (isEmailVerified(token)) {
                if (candidates.size() == 1) {
                    User linked = directory.bind(identity, candidates.getFirst().id());
                    record(token.tenant(), linked.id(), "identity.linked", "verified_email", token.issuer());
                    return resolved(syncGroups(linked, token, policy), token, policy);
                }
                if (candidates.size() > 1) {
                    record(token.tenant(), null, "identity.link_refused", "ambiguous_email", token.issuer());
                    return new Resolution.Conflict("ambiguous_email");
                }
            } else if (!candidates.isEmpty()) {
                // C2-02: "false", absent, the string "true" or 1 are no proof of ownership.
                record(token.tenant(), null, "identity.link_refused", "email_not_verified", token.issuer());
            }
        }
        if (policy.provisioning() == IdentityPolicy.Provisioning.JIT) {
            return provision(token, identity, email, policy);
        }
        return new Resolution.Unknown("user_not_provisioned");
    }

    /**
     * The principal a service acts as when it names a user: that user of the service's own tenant,
     * with the service's scopes. A principal that is not a service, or a user unknown in the
     * service's tenant, is refused; the tenant is always the service's, never one named by the
     * request.
     */
    public Resolution actFor(Principal service, UserId user) {
        if (service.kind() != Principal.Kind.SERVICE) {
            return new Resolution.Unknown("not_a_service");
        }
        Optional<IdentityPolicy> policy = policies.forTenant(service.tenant());
        if (policy.isEmpty() || policy.get().service(service.user()).isEmpty()) {
            return new Resolution.Unknown("not_a_service");
        }
        return directory
                .find(service.tenant(), user)
                .<Resolution>map(target -> new Resolution.Resolved(new Principal(
                        service.tenant(),
                        target.id(),
                        Principal.Kind.SERVICE,
                        target.email(),
                        target.groups(),
                        service.scopes())))
                .orElseGet(() -> new Resolution.Unknown("unknown_user"));
    }

    /**
     * The principal of a user who holds a Latchkey session (a browser login, or a token minted from
     * one): the stored user with the roles its groups map to, and no scopes — a session acts for the
     * user only. A user that no longer exists, or a tenant no longer configured, is refused.
     */
    public Resolution sessionUser(TenantId tenant, UserId user) {
        Optional<IdentityPolicy> policy = policies.forTenant(tenant);
        if (policy.isEmpty()) {
            return new Resolution.Unknown("unknown_tenant");
        }
        return directory
                .find(tenant, user)
                .<Resolution>map(found -> new Resolution.Resolved(new Principal(
                        tenant,
                        found.id(),
                        Principal.Kind.USER,
                        found.email(),
                        found.groups(),
                        Set.of(),
                        policy.get().rolesFor(found.groups()))))
                .orElseGet(() -> new Resolution.Unknown("unknown_user"));
    }

    /** The principal of a service with the given scopes, within the service's configured scopes. */
    static Principal servicePrincipal(TenantId tenant, ServicePolicy service, Set<String> requested) {
        Set<String> scopes = new HashSet<>(service.scopes());
        scopes.retainAll(requested);
        return new Principal(tenant, service.id(), Principal.Kind.SERVICE, null, Set.of(), scopes);
    }

    private Resolution provision(
            TokenIdentity token, ExternalIdentity identity, Optional<String> email, IdentityPolicy policy) {
        Set<String> groups = claimedGroups(token, policy).orElse(Set.of());
        User candidate = new User(
                token.tenant(),
                UserId.of(UUID.randomUUID().toString()),
                email.orElse(null),
                email.isPresent() && isEmailVerified(token),
                groups);
        User winner = directory.provision(candidate, identity);
        if (winner.id().equals(candidate.id())) {
            record(token.tenant(), winner.id(), "identity.provisioned", "jit", token.issuer());
            return resolved(winner, token, policy);
        }
        // A concurrent first request provisioned this identity a moment earlier: use its user.
        return resolved(syncGroups(winner, token, policy), token, policy);
    }

    private User syncGroups(User user, TokenIdentity token, IdentityPolicy policy) {
        Optional<Set<String>> groups = claimedGroups(token, policy);
        if (groups.isEmpty() || groups.get().equals(user.groups())) {
            return user;
        }
        directory.updateGroups(user.tenant(), user.id(), groups.get());
        return user.withGroups(groups.get());
    }

    private Optional<Set<String>> claimedGroups(TokenIdentity token, IdentityPolicy policy) {
        Optional<ClaimPath> claim = policy.groupsClaimIfSet();
        if (claim.isEmpty()) {
            return Optional.empty();
        }
        Optional<Set<String>> values = claim.get().valuesIn(token.claims());
        if (values.isPresent()) {
            return Optional.of(sanitise(values.get()));
        }
        Optional<GroupDirectory> overage = policy.groupOverageIfSet();
        if (overage.isPresent() && hasOverage(token, claim.get())) {
            return switch (overage.get().groupsOf(token)) {
                case GroupLookup.Found(Set<String> groups) -> Optional.of(sanitise(groups));
                case GroupLookup.Failed(String reason) -> {
                    record(token.tenant(), null, "identity.groups_sync_failed", reason, token.issuer());
                    yield Optional.empty();
                }
            };
        }
        return Optional.empty();
    }

    // Entra: "_claim_names": {"groups": "src1"} stands in for a groups claim too large for the token.
    private static boolean hasOverage(TokenIdentity token, ClaimPath claim) {
        return token.claims().get("_claim_names") instanceof Map<?, ?> names && names.containsKey(claim.claimName());
    }

    private static Set<String> sanitise(Collection<String> groups) {
        return groups.stream()
                .filter(group -> !group.isEmpty() && group.length() <= MAX_GROUP_LENGTH)
                .filter(group -> group.chars().noneMatch(Character::isISOControl))
                .sorted()
                .limit(MAX_GROUPS)
                .collect(Collectors.toUnmodifiableSet());
    }

    private static Optional<ServicePolicy> serviceOf(TokenIdentity token, IdentityPolicy policy) {
        Object azp = token.claims().get("azp");
        Object clientId = token.claims().get("client_id");
        return policy.services().stream()
                .filter(service ->
                        service.clientId().equals(azp) || service.clientId().equals(clientId))
                .filter(service -> service.expectedSubject().equals(token.subject()))
                .findFirst();
    }

    private static Set<String> grantedScopes(TokenIdentity token) {
        Set<String> granted = new HashSet<>(token.scopes());
        new ClaimPath(List.of("roles")).valuesIn(token.claims()).ifPresent(granted::addAll);
        return granted;
    }

    private static Optional<String> email(TokenIdentity token) {
        if (token.claims().get("email") instanceof String email
                && email.length() <= MAX_EMAIL_LENGTH
                && email.indexOf('@') > 0
                && email.chars().noneMatch(c -> Character.isISOControl(c) || Character.isWhitespace(c))) {
            return Optional.of(email);
        }
        return Optional.empty();
    }

    // Only the JSON boolean true proves verification; "true", 1 or an absent claim do not (C2-02).
    private static boolean isEmailVerified(TokenIdentity token) {
        return Boolean.TRUE.equals(token.claims().get("email_verified"));
    }

    // Roles come only from the tenant's own mapping, applied to the groups just synced (C2-07).
    private static Resolution resolved(User user, TokenIdentity token, IdentityPolicy policy) {
        return new Resolution.Resolved(new Principal(
                user.tenant(),
                user.id(),
                Principal.Kind.USER,
                user.email(),
                user.groups(),
                token.scopes(),
                policy.rolesFor(user.groups())));
    }

    private void record(TenantId tenant, @Nullable UserId user, String action, String reason, String issuer) {
        audit.record(new AuditEvent(
                clock.instant(),
                tenant,
                user == null ? "identity" : "user:" + user.value(),
                action,
                reason,
                Map.of("issuer", issuer)));
    }
}
