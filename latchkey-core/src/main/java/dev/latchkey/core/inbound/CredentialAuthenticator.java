package dev.latchkey.core.inbound;

import dev.latchkey.core.identity.ApiKeyAuthentication;
import dev.latchkey.core.identity.ApiKeyVerifier;
import dev.latchkey.core.identity.IdentityResolver;
import dev.latchkey.core.identity.Principal;
import dev.latchkey.core.identity.Resolution;
import dev.latchkey.core.identity.TokenIdentity;
import dev.latchkey.core.secret.Secret;
import dev.latchkey.core.tenant.TenantId;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The {@link Authenticator}: a bearer token is validated ({@link BearerValidator}), then mapped to a
 * local user ({@link IdentityResolver}); an API key is checked by the {@link ApiKeyVerifier} of the
 * tenant the request names. Scopes are checked last, on what the credential actually grants.
 * Bearer first: a request that carries both is refused as malformed before it gets here.
 */
public final class CredentialAuthenticator implements Authenticator {
    private final BearerValidator validator;
    private final IdentityResolver identities;
    private final ApiKeyVerifier apiKeys;

    public CredentialAuthenticator(BearerValidator validator, IdentityResolver identities, ApiKeyVerifier apiKeys) {
        this.validator = validator;
        this.identities = identities;
        this.apiKeys = apiKeys;
    }

    @Override
    public AuthOutcome authenticate(Credentials credentials, Set<String> requiredScopes) {
        if (credentials.bearerToken().isPresent()) {
            return bearer(credentials, credentials.bearerToken().get(), requiredScopes);
        }
        if (credentials.apiKeyValue().isPresent()) {
            return apiKey(credentials, credentials.apiKeyValue().get(), requiredScopes);
        }
        return new AuthOutcome.NoCredentials();
    }

    private AuthOutcome bearer(Credentials credentials, Secret token, Set<String> requiredScopes) {
        return switch (validator.validate(credentials.tenantHint(), token)) {
            case Validation.Invalid invalid -> new AuthOutcome.Rejected(invalid.reason(), invalid.description());
            case Validation.Unavailable unavailable ->
                new AuthOutcome.Unavailable(unavailable.retryAfter(), unavailable.reason());
            case Validation.Valid valid -> identify(valid.token(), requiredScopes);
        };
    }

    private AuthOutcome identify(VerifiedToken token, Set<String> requiredScopes) {
        // RFC 6750 §3.1: a valid token without what the resource needs is insufficient_scope.
        Set<String> missing = new LinkedHashSet<>(token.missingScopes(Set.of()));
        missing.addAll(token.missingRoles());
        if (!missing.isEmpty()) {
            return new AuthOutcome.InsufficientScope(missing);
        }
        TokenIdentity identity;
        try {
            identity =
                    new TokenIdentity(token.tenant(), token.issuer(), token.subject(), token.claims(), token.scopes());
        } catch (IllegalArgumentException e) {
            return new AuthOutcome.Rejected("invalid_subject", "the token's subject is not acceptable");
        }
        return switch (identities.resolve(identity)) {
            case Resolution.Resolved resolved -> withScopes(resolved.principal(), requiredScopes);
            case Resolution.Unknown unknown ->
                new AuthOutcome.Forbidden(unknown.reason(), "the token is valid but maps to no user of this tenant");
            case Resolution.Conflict conflict ->
                new AuthOutcome.Forbidden(conflict.reason(), "the token's identity cannot be linked to one user");
        };
    }

    private AuthOutcome apiKey(Credentials credentials, Secret key, Set<String> requiredScopes) {
        if (credentials.tenant().isEmpty()) {
            return new AuthOutcome.Malformed("an API key needs the tenant in X-Tenant-Id");
        }
        TenantId tenant = credentials.tenant().get();
        return switch (apiKeys.authenticate(tenant, key)) {
            case ApiKeyAuthentication.Authenticated authenticated ->
                withScopes(authenticated.principal(), requiredScopes);
            case ApiKeyAuthentication.Refused refused ->
                refused.reason() == ApiKeyAuthentication.Reason.DISABLED
                        ? new AuthOutcome.Forbidden("api_keys_disabled", "API keys are turned off for this tenant")
                        : new AuthOutcome.Rejected(refused.reason().code(), "the API key is not valid");
        };
    }

    private static AuthOutcome withScopes(Principal principal, Set<String> requiredScopes) {
        Set<String> missing = new LinkedHashSet<>(requiredScopes);
        missing.removeAll(principal.scopes());
        return missing.isEmpty()
                ? new AuthOutcome.Authenticated(principal)
                : new AuthOutcome.InsufficientScope(missing);
    }
}
