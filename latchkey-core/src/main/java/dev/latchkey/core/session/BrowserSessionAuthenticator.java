package dev.latchkey.core.session;

import dev.latchkey.core.identity.IdentityResolver;
import dev.latchkey.core.inbound.AuthOutcome;
import dev.latchkey.core.inbound.Authenticator;
import dev.latchkey.core.inbound.Credentials;
import dev.latchkey.core.secret.Secret;
import java.util.Optional;
import java.util.Set;

/**
 * An {@link Authenticator} decorator that accepts a browser's session cookie when the request
 * carries no bearer token or API key, and passes everything else on. The session must be live
 * ({@link BrowserLogins#session}); its user must still exist; the tenant the request names, if
 * any, must be the session's. A session acts for its user only: it carries no scopes.
 */
public final class BrowserSessionAuthenticator implements Authenticator {
    private final Authenticator delegate;
    private final BrowserLogins logins;
    private final IdentityResolver identities;

    public BrowserSessionAuthenticator(Authenticator delegate, BrowserLogins logins, IdentityResolver identities) {
        this.delegate = delegate;
        this.logins = logins;
        this.identities = identities;
    }

    @Override
    public AuthOutcome authenticate(Credentials credentials, Set<String> requiredScopes) {
        Optional<Secret> cookie = credentials.sessionCookie();
        if (cookie.isEmpty()
                || credentials.bearerToken().isPresent()
                || credentials.apiKeyValue().isPresent()) {
            return delegate.authenticate(credentials, requiredScopes);
        }
        Optional<BrowserSession> session = logins.session(cookie.get());
        if (session.isEmpty()) {
            return new AuthOutcome.Rejected("session_ended", "the session has ended; log in again");
        }
        if (credentials.tenant().isPresent()
                && !credentials.tenant().get().equals(session.get().tenant())) {
            return new AuthOutcome.Rejected("tenant_mismatch", "the session belongs to another tenant");
        }
        return SessionTokenAuthenticator.sessionUser(
                identities.sessionUser(session.get().tenant(), session.get().user()), requiredScopes);
    }
}
