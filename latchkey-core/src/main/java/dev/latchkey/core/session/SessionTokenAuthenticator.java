package dev.latchkey.core.session;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.latchkey.core.identity.IdentityResolver;
import dev.latchkey.core.identity.Resolution;
import dev.latchkey.core.inbound.AuthOutcome;
import dev.latchkey.core.inbound.Authenticator;
import dev.latchkey.core.inbound.Credentials;
import dev.latchkey.core.secret.Secret;
import dev.latchkey.core.tenant.TenantId;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * An {@link Authenticator} decorator that accepts Latchkey's own session access tokens and passes
 * every other credential to the one it wraps. A token that claims Latchkey as issuer is judged here
 * only: its signature and lifetime ({@link SessionAccessTokens}), the tenant the request names (a
 * token never works in another tenant, C4-09), its family (a revoked family recalls its access
 * tokens within {@link #FAMILY_CHECK}) and its user, who must still exist. A session acts for its
 * user only: it carries no scopes, so a route that requires one refuses it.
 */
public final class SessionTokenAuthenticator implements Authenticator {
    /** How long a family's liveness is remembered per replica. */
    public static final Duration FAMILY_CHECK = Duration.ofSeconds(5);

    private final Authenticator delegate;
    private final SessionAccessTokens tokens;
    private final RefreshTokenStore families;
    private final IdentityResolver identities;
    private final Cache<FamilyKey, Boolean> live;

    public SessionTokenAuthenticator(
            Authenticator delegate,
            SessionAccessTokens tokens,
            RefreshTokenStore families,
            IdentityResolver identities) {
        this.delegate = delegate;
        this.tokens = tokens;
        this.families = families;
        this.identities = identities;
        this.live = Caffeine.newBuilder()
                .maximumSize(100_000)
                .expireAfterWrite(FAMILY_CHECK)
                .build();
    }

    @Override
    public AuthOutcome authenticate(Credentials credentials, Set<String> requiredScopes) {
        Optional<Secret> bearer = credentials.bearerToken();
        if (bearer.isEmpty() || !tokens.claimsToBeOurs(bearer.get())) {
            return delegate.authenticate(credentials, requiredScopes);
        }
        Optional<SessionAccessTokens.Verified> verified = tokens.verify(bearer.get());
        if (verified.isEmpty()) {
            return new AuthOutcome.Rejected("invalid_token", "the session token is not valid");
        }
        TenantId tenant = verified.get().tenant();
        if (credentials.tenant().isPresent() && !credentials.tenant().get().equals(tenant)) {
            return new AuthOutcome.Rejected("tenant_mismatch", "the session token belongs to another tenant");
        }
        FamilyKey family = new FamilyKey(tenant, verified.get().family());
        if (!live.get(family, this::isLive)) {
            return new AuthOutcome.Rejected("session_ended", "the session has ended");
        }
        return sessionUser(identities.sessionUser(tenant, verified.get().user()), requiredScopes);
    }

    /**
     * The outcome for a session's user: authenticated with no scopes (a session acts for its user
     * only, so a route that requires a scope refuses it), or ended if the user is gone.
     */
    static AuthOutcome sessionUser(Resolution resolution, Set<String> requiredScopes) {
        return switch (resolution) {
            case Resolution.Resolved resolved ->
                requiredScopes.isEmpty()
                        ? new AuthOutcome.Authenticated(resolved.principal())
                        : new AuthOutcome.InsufficientScope(requiredScopes);
            case Resolution.Unknown unknown -> new AuthOutcome.Rejected("session_ended", "the session has ended");
            case Resolution.Conflict conflict -> new AuthOutcome.Rejected("session_ended", "the session has ended");
        };
    }

    private boolean isLive(FamilyKey key) {
        return families.family(key.tenant(), key.family())
                .map(family -> !family.revoked())
                .orElse(false);
    }

    private record FamilyKey(TenantId tenant, FamilyId family) {}
}
