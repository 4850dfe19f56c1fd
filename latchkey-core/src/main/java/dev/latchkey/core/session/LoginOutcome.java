package dev.latchkey.core.session;

import dev.latchkey.core.secret.Secret;
import java.net.URI;
import java.time.Duration;

/** What starting or finishing a browser login produced. */
public sealed interface LoginOutcome {

    /**
     * Send the browser to the provider, holding {@code binding} in a short-lived pre-login cookie.
     *
     * @param formPost whether the provider answers with a cross-site POST (the cookie must then be
     *     {@code SameSite=None})
     */
    record Redirect(URI authorizationUrl, Secret binding, boolean formPost) implements LoginOutcome {}

    /** Logged in: set the session cookie to {@code sessionId} and send the browser to {@code returnTo}. */
    record LoggedIn(Secret sessionId, URI returnTo) implements LoginOutcome {}

    /** Refused, with an RFC 6749 error code and a short description safe to show. */
    record Failed(String error, String description) implements LoginOutcome {}

    /** Too many logins are pending for the tenant; try again later (C3-18). */
    record TooMany(Duration retryAfter) implements LoginOutcome {}

    /** The provider cannot be reached; try again later. */
    record Unavailable(Duration retryAfter) implements LoginOutcome {}
}
