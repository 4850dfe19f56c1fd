package dev.latchkey.core.identity;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * How one tenant maps inbound identities to local users, and which other credentials it accepts.
 * Everything is off by default ({@link #defaults()}): no email linking, no just-in-time
 * provisioning, no group sync, no services, no API keys, no roles.
 *
 * @param linkVerifiedEmail whether an unbound identity may be linked to the one user whose verified
 *     email equals the token's {@code email}, when the token's {@code email_verified} is boolean
 *     {@code true}
 * @param emailLinkIssuers the issuers trusted for email linking; empty means every issuer the
 *     tenant trusts for bearer tokens
 * @param provisioning whether unknown identities become new users
 * @param groupsClaim where the user's groups are read from, if group sync is on
 * @param groupOverage asked for the groups when the token names the groups claim in Entra's
 *     {@code _claim_names} instead of carrying it (the groups overage), if configured
 * @param services the tenant's trusted backends
 * @param apiKeysEnabled whether the tenant's API keys may be created and used
 * @param roleMapping the Latchkey roles each group (or role) value of the user grants, as the
 *     tenant's administrator configured it; matched exactly (case-sensitive). Empty by default:
 *     no group, whatever its name ({@code admin}, {@code latchkey-admins}), grants a role by itself
 */
public record IdentityPolicy(
        boolean linkVerifiedEmail,
        Set<String> emailLinkIssuers,
        Provisioning provisioning,
        @Nullable ClaimPath groupsClaim,
        @Nullable GroupDirectory groupOverage,
        List<ServicePolicy> services,
        boolean apiKeysEnabled,
        Map<String, Set<String>> roleMapping) {
    private static final Pattern ROLE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}");
    private static final int MAX_GROUP_LENGTH = 256;
    private static final int MAX_MAPPED_GROUPS = 1000;
    private static final int MAX_ROLES_PER_GROUP = 64;

    /** Whether an identity that is neither bound nor linked becomes a new user. */
    public enum Provisioning {
        /** Unknown identities are refused with {@code user_not_provisioned}. */
        OFF,
        /** Unknown identities become new users on first use (just in time). */
        JIT
    }

    /**
     * Copies the collections, rejects two services sharing an id or a client id, and checks the
     * role mapping: at most 1000 groups of 1-256 characters without control characters, each
     * granting 1 to 64 roles named by 1-64 characters of letters, digits, {@code _ . : -}.
     *
     * @throws IllegalArgumentException naming the rule broken (never a configured value)
     */
    public IdentityPolicy {
        emailLinkIssuers = Set.copyOf(emailLinkIssuers);
        services = List.copyOf(services);
        if (services.stream().map(ServicePolicy::id).distinct().count() != services.size()
                || services.stream().map(ServicePolicy::clientId).distinct().count() != services.size()) {
            throw new IllegalArgumentException("services must have distinct ids and client ids");
        }
        roleMapping = copyOfRoleMapping(roleMapping);
    }

    /** Everything off. */
    public static IdentityPolicy defaults() {
        return new IdentityPolicy(false, Set.of(), Provisioning.OFF, null, null, List.of(), false, Map.of());
    }

    /** Email linking on, for the given issuers (none: every issuer of the tenant). */
    public IdentityPolicy withEmailLinking(Set<String> issuers) {
        return new IdentityPolicy(
                true, issuers, provisioning, groupsClaim, groupOverage, services, apiKeysEnabled, roleMapping);
    }

    public IdentityPolicy withProvisioning(Provisioning newProvisioning) {
        return new IdentityPolicy(
                linkVerifiedEmail,
                emailLinkIssuers,
                newProvisioning,
                groupsClaim,
                groupOverage,
                services,
                apiKeysEnabled,
                roleMapping);
    }

    /** Group sync from a claim or dotted claim path, e.g. {@code groups} or {@code realm_access.roles}. */
    public IdentityPolicy withGroupsClaim(String path) {
        return new IdentityPolicy(
                linkVerifiedEmail,
                emailLinkIssuers,
                provisioning,
                ClaimPath.parse(path),
                groupOverage,
                services,
                apiKeysEnabled,
                roleMapping);
    }

    public IdentityPolicy withGroupOverage(GroupDirectory directory) {
        return new IdentityPolicy(
                linkVerifiedEmail,
                emailLinkIssuers,
                provisioning,
                groupsClaim,
                directory,
                services,
                apiKeysEnabled,
                roleMapping);
    }

    public IdentityPolicy withServices(List<ServicePolicy> newServices) {
        return new IdentityPolicy(
                linkVerifiedEmail,
                emailLinkIssuers,
                provisioning,
                groupsClaim,
                groupOverage,
                newServices,
                apiKeysEnabled,
                roleMapping);
    }

    public IdentityPolicy withApiKeys(boolean enabled) {
        return new IdentityPolicy(
                linkVerifiedEmail,
                emailLinkIssuers,
                provisioning,
                groupsClaim,
                groupOverage,
                services,
                enabled,
                roleMapping);
    }

    /** The administrator's mapping of group values to Latchkey roles; see {@link #roleMapping()}. */
    public IdentityPolicy withRoleMapping(Map<String, ? extends Collection<String>> mapping) {
        Map<String, Set<String>> copy = new LinkedHashMap<>();
        mapping.forEach((group, roles) -> copy.put(group, Set.copyOf(roles)));
        return new IdentityPolicy(
                linkVerifiedEmail,
                emailLinkIssuers,
                provisioning,
                groupsClaim,
                groupOverage,
                services,
                apiKeysEnabled,
                copy);
    }

    /**
     * The roles {@code groups} grant under this tenant's mapping: the union of the roles of each
     * group that is mapped; groups without a mapping grant nothing.
     */
    public Set<String> rolesFor(Set<String> groups) {
        if (roleMapping.isEmpty()) {
            return Set.of();
        }
        Set<String> roles = new TreeSet<>();
        for (String group : groups) {
            Set<String> mapped = roleMapping.get(group);
            if (mapped != null) {
                roles.addAll(mapped);
            }
        }
        return Set.copyOf(roles);
    }

    public Optional<ClaimPath> groupsClaimIfSet() {
        return Optional.ofNullable(groupsClaim);
    }

    public Optional<GroupDirectory> groupOverageIfSet() {
        return Optional.ofNullable(groupOverage);
    }

    /** Whether tokens of {@code issuer} may link by verified email in this tenant. */
    public boolean linksEmailFrom(String issuer) {
        return linkVerifiedEmail && (emailLinkIssuers.isEmpty() || emailLinkIssuers.contains(issuer));
    }

    /** The service with this id, if configured. */
    public Optional<ServicePolicy> service(UserId id) {
        return services.stream().filter(service -> service.id().equals(id)).findFirst();
    }

    private static Map<String, Set<String>> copyOfRoleMapping(Map<String, Set<String>> mapping) {
        if (mapping.size() > MAX_MAPPED_GROUPS) {
            throw new IllegalArgumentException("a role mapping has at most 1000 groups");
        }
        Map<String, Set<String>> copy = new LinkedHashMap<>();
        mapping.forEach((group, roles) -> {
            if (group.isEmpty()
                    || group.length() > MAX_GROUP_LENGTH
                    || group.chars().anyMatch(Character::isISOControl)) {
                throw new IllegalArgumentException("a mapped group is 1-256 characters without control characters");
            }
            if (roles.isEmpty() || roles.size() > MAX_ROLES_PER_GROUP) {
                throw new IllegalArgumentException("a mapped group grants 1 to 64 roles");
            }
            for (String role : roles) {
                if (!ROLE.matcher(role).matches()) {
                    throw new IllegalArgumentException(
                            "a role is 1-64 characters of A-Z, a-z, 0-9, '_', '.', ':' or '-', starting with a letter"
                                    + " or digit");
                }
            }
            copy.put(group, Set.copyOf(roles));
        });
        return Collections.unmodifiableMap(copy);
    }
}
