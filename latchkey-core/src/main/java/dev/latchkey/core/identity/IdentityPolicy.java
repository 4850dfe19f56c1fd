package dev.latchkey.core.identity;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * How one tenant maps inbound identities to local users, and which other credentials it accepts.
 * Everything is off by default ({@link #defaults()}): no email linking, no just-in-time
 * provisioning, no group sync, no services, no API keys.
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
 */
public record IdentityPolicy(
        boolean linkVerifiedEmail,
        Set<String> emailLinkIssuers,
        Provisioning provisioning,
        @Nullable ClaimPath groupsClaim,
        @Nullable GroupDirectory groupOverage,
        List<ServicePolicy> services,
        boolean apiKeysEnabled) {

    /** Whether an identity that is neither bound nor linked becomes a new user. */
    public enum Provisioning {
        /** Unknown identities are refused with {@code user_not_provisioned}. */
        OFF,
        /** Unknown identities become new users on first use (just in time). */
        JIT
    }

    /**
     * Copies the collections and rejects two services sharing an id or a client id.
     *
     * @throws IllegalArgumentException naming the rule broken
     */
    public IdentityPolicy {
        emailLinkIssuers = Set.copyOf(emailLinkIssuers);
        services = List.copyOf(services);
        if (services.stream().map(ServicePolicy::id).distinct().count() != services.size()
                || services.stream().map(ServicePolicy::clientId).distinct().count() != services.size()) {
            throw new IllegalArgumentException("services must have distinct ids and client ids");
        }
    }

    /** Everything off. */
    public static IdentityPolicy defaults() {
        return new IdentityPolicy(false, Set.of(), Provisioning.OFF, null, null, List.of(), false);
    }

    /** Email linking on, for the given issuers (none: every issuer of the tenant). */
    public IdentityPolicy withEmailLinking(Set<String> issuers) {
        return new IdentityPolicy(true, issuers, provisioning, groupsClaim, groupOverage, services, apiKeysEnabled);
    }

    public IdentityPolicy withProvisioning(Provisioning newProvisioning) {
        return new IdentityPolicy(
                linkVerifiedEmail,
                emailLinkIssuers,
                newProvisioning,
                groupsClaim,
                groupOverage,
                services,
                apiKeysEnabled);
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
                apiKeysEnabled);
    }

    public IdentityPolicy withGroupOverage(GroupDirectory directory) {
        return new IdentityPolicy(
                linkVerifiedEmail, emailLinkIssuers, provisioning, groupsClaim, directory, services, apiKeysEnabled);
    }

    public IdentityPolicy withServices(List<ServicePolicy> newServices) {
        return new IdentityPolicy(
                linkVerifiedEmail,
                emailLinkIssuers,
                provisioning,
                groupsClaim,
                groupOverage,
                newServices,
                apiKeysEnabled);
    }

    public IdentityPolicy withApiKeys(boolean enabled) {
        return new IdentityPolicy(
                linkVerifiedEmail, emailLinkIssuers, provisioning, groupsClaim, groupOverage, services, enabled);
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
}
