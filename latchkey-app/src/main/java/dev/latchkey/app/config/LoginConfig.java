package dev.latchkey.app.config;

import dev.latchkey.core.secret.Secret;
import java.net.URI;
import java.util.List;
import java.util.Optional;

/**
 * The OpenID Connect client a tenant's browser login uses (and, for token exchange, the client
 * Latchkey authenticates as). Without a secret it is a public client relying on PKCE alone.
 */
public record LoginConfig(
        URI issuer, String clientId, Optional<Secret> clientSecret, List<String> scopes, boolean formPost) {

    /** How the provider answers at the callback: query parameters, or a cross-site form POST. */
    public enum ResponseMode {
        QUERY,
        FORM_POST
    }

    /** A login answered in the query string. */
    public LoginConfig(URI issuer, String clientId, Optional<Secret> clientSecret, List<String> scopes) {
        this(issuer, clientId, clientSecret, scopes, false);
    }

    /** The scopes requested when none are configured. */
    public static final List<String> DEFAULT_SCOPES = List.of("openid", "profile", "email");

    /** Copies the scopes and insists on {@code openid}: without it there is no ID token. */
    public LoginConfig {
        scopes = List.copyOf(scopes);
        if (!scopes.contains("openid")) {
            throw new IllegalArgumentException("login scopes must include openid");
        }
    }
}
