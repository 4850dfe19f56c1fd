package dev.latchkey.core.identity;

import dev.latchkey.core.tenant.TenantId;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * What a validated inbound token says about its caller: the tenant whose issuer accepted it, the
 * issuer and subject (together the caller's identity, OIDC Core §2: {@code sub} is unique only
 * within its issuer), the token's other claims and its scopes. Built by bearer validation after
 * the signature, issuer, audience and lifetime checks have passed; identity resolution trusts it.
 *
 * <p>{@link #toString()} names tenant, issuer and subject only: claims may carry personal data.
 *
 * @param tenant the tenant whose trusted issuer signed the token
 * @param issuer the token's {@code iss}, exactly as validated
 * @param subject the token's {@code sub}: 1 to 255 characters without control characters
 * @param claims every claim of the token (JSON values: String, Boolean, Number, List, Map)
 * @param scopes the token's scopes, from its scope or scp claim
 */
public record TokenIdentity(
        TenantId tenant, String issuer, String subject, Map<String, Object> claims, Set<String> scopes) {

    /**
     * Validates issuer and subject and copies the claims, dropping JSON nulls.
     *
     * @throws IllegalArgumentException naming the rule broken, never the value
     */
    public TokenIdentity {
        ExternalIdentity.requireIssuer(issuer);
        ExternalIdentity.requireSubject(subject);
        Map<String, Object> copy = new LinkedHashMap<>();
        claims.forEach((name, value) -> {
            if (name != null && value != null) {
                copy.put(name, value);
            }
        });
        claims = Collections.unmodifiableMap(copy);
        scopes = Set.copyOf(scopes);
    }

    /** The key this identity is bound under: (tenant, issuer, subject). */
    public ExternalIdentity external() {
        return new ExternalIdentity(tenant, issuer, subject);
    }

    @Override
    public String toString() {
        return "TokenIdentity[tenant=" + tenant + ", issuer=" + issuer + ", subject=" + subject + "]";
    }
}
