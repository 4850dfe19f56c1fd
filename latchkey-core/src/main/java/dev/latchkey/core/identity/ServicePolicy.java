package dev.latchkey.core.identity;

import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A trusted backend of one tenant (DESIGN.md, "Who calls Latchkey"): it authenticates with a
 * client-credentials token of the tenant's IdP or with a service API key, and gets at most the
 * scopes configured here. A token is the service's only if its {@code azp} or {@code client_id}
 * is {@link #clientId} and its {@code sub} is the client's own subject: {@link #subject} when
 * configured (Entra and Keycloak give service accounts their own object id), else the client id
 * itself (as Okta and mock-oauth2-server do). The subject check keeps a user's token, which also
 * carries {@code azp} of the client the user signed in to, from ever passing as the service.
 *
 * @param id the service's id, used as the principal's user id
 * @param clientId the OAuth client id of the backend at the tenant's IdP
 * @param subject the {@code sub} of the backend's client-credentials tokens, if not the client id
 * @param scopes the Latchkey scopes the service may hold
 */
public record ServicePolicy(
        UserId id, String clientId, @Nullable String subject, Set<String> scopes) {

    /**
     * Validates the client id and subject.
     *
     * @throws IllegalArgumentException naming the rule broken
     */
    public ServicePolicy {
        if (clientId.isBlank() || clientId.length() > ExternalIdentity.MAX_SUBJECT_LENGTH) {
            throw new IllegalArgumentException("service client id must be 1-255 characters");
        }
        if (subject != null) {
            ExternalIdentity.requireSubject(subject);
        }
        scopes = Set.copyOf(scopes);
    }

    /** A service whose tokens carry its client id as subject. */
    public static ServicePolicy of(String id, String clientId, Set<String> scopes) {
        return new ServicePolicy(UserId.of(id), clientId, null, scopes);
    }

    public Optional<String> subjectIfConfigured() {
        return Optional.ofNullable(subject);
    }

    /** The subject this service's own tokens carry. */
    public String expectedSubject() {
        return subject == null ? clientId : subject;
    }
}
