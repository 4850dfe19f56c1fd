package dev.latchkey.core.inbound;

import dev.latchkey.core.tenant.TenantId;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A bearer token whose signature and claims were verified for one tenant, or an opaque token that
 * its issuer's RFC 7662 introspection endpoint declared active and whose answer passed the same
 * claim checks. Immutable: the claims map and every list or map inside it are unmodifiable copies.
 *
 * @param tenant the tenant whose issuer policy accepted the token
 * @param issuer the token's {@code iss}, equal to a trusted issuer of that tenant
 * @param subject the non-empty {@code sub}
 * @param audiences the token's {@code aud} values
 * @param scopes the scopes, from the space-delimited scope claim (RFC 9068 §2.2.3) or Entra's
 *     {@code scp} (string or array); each an exact token, never a substring
 * @param roles the {@code roles} claim values (Entra app roles), empty if absent
 * @param requiredScopes the scopes the issuer policy requires of every token
 * @param requiredRoles the roles the issuer policy requires of every token
 * @param expiresAt the {@code exp} instant (for an opaque token without {@code exp}: when its
 *     introspection answer stops being trusted)
 * @param claims every claim of the payload (for an opaque token: every member of the introspection
 *     answer), numeric dates as epoch seconds
 */
public record VerifiedToken(
        TenantId tenant,
        String issuer,
        String subject,
        List<String> audiences,
        Set<String> scopes,
        Set<String> roles,
        Set<String> requiredScopes,
        Set<String> requiredRoles,
        Instant expiresAt,
        Map<String, Object> claims) {

    public VerifiedToken {
        audiences = List.copyOf(audiences);
        scopes = Set.copyOf(scopes);
        roles = Set.copyOf(roles);
        requiredScopes = Set.copyOf(requiredScopes);
        requiredRoles = Set.copyOf(requiredRoles);
        claims = ClaimRules.immutable(claims);
    }

    /**
     * The scopes missing for an endpoint that needs {@code endpointScopes}: those of the endpoint
     * and of the issuer policy that the token does not carry, compared exactly.
     */
    public Set<String> missingScopes(Set<String> endpointScopes) {
        Set<String> missing = new LinkedHashSet<>(requiredScopes);
        missing.addAll(endpointScopes);
        missing.removeAll(scopes);
        return Collections.unmodifiableSet(missing);
    }

    /** The roles the issuer policy requires that the token does not carry. */
    public Set<String> missingRoles() {
        Set<String> missing = new LinkedHashSet<>(requiredRoles);
        missing.removeAll(roles);
        return Collections.unmodifiableSet(missing);
    }

    @Override
    public String toString() {
        return "VerifiedToken[tenant=" + tenant + ", issuer=" + issuer + ", expiresAt=" + expiresAt + "]";
    }
}
