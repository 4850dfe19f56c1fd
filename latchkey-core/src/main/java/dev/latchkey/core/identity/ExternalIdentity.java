package dev.latchkey.core.identity;

import dev.latchkey.core.tenant.TenantId;

/**
 * The key a local user is bound under: an issuer's subject, seen by one tenant. The same issuer and
 * subject in two tenants are two identities (and two users); so are the same subject from two
 * issuers of one tenant (OIDC Core §2, §5.7: only (iss, sub) is stable and unique).
 *
 * @param tenant the tenant that trusts the issuer
 * @param issuer the issuer identifier, 1 to 1024 characters without control characters
 * @param subject the subject, 1 to 255 characters without control characters (OIDC Core §2)
 */
public record ExternalIdentity(TenantId tenant, String issuer, String subject) {
    static final int MAX_ISSUER_LENGTH = 1024;
    static final int MAX_SUBJECT_LENGTH = 255;

    /**
     * Validates issuer and subject.
     *
     * @throws IllegalArgumentException naming the rule broken, never the value
     */
    public ExternalIdentity {
        requireIssuer(issuer);
        requireSubject(subject);
    }

    static void requireIssuer(String issuer) {
        if (issuer.isEmpty() || issuer.length() > MAX_ISSUER_LENGTH || hasControl(issuer)) {
            throw new IllegalArgumentException("issuer must be 1-1024 characters without control characters");
        }
    }

    static void requireSubject(String subject) {
        if (subject.isEmpty() || subject.length() > MAX_SUBJECT_LENGTH || hasControl(subject)) {
            throw new IllegalArgumentException("subject must be 1-255 characters without control characters");
        }
    }

    private static boolean hasControl(String text) {
        return text.chars().anyMatch(Character::isISOControl);
    }
}
