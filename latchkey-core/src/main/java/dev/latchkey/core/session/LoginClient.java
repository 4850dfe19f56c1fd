package dev.latchkey.core.session;

import dev.latchkey.core.secret.Secret;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The OpenID Connect client a tenant's browser login uses: the issuer (its metadata is discovered),
 * the client registered there, the scopes asked for, and how the callback is answered.
 *
 * @param clientSecret absent for a public client (PKCE only)
 * @param formPost whether to ask for {@code response_mode=form_post} (large responses); the
 *     pre-login cookie must then be {@code SameSite=None}, which needs https
 */
public record LoginClient(
        URI issuer, String clientId, @Nullable Secret clientSecret, List<String> scopes, boolean formPost) {

    /** Copies the scopes. */
    public LoginClient {
        scopes = List.copyOf(scopes);
    }

    public Optional<Secret> secret() {
        return Optional.ofNullable(clientSecret);
    }
}
