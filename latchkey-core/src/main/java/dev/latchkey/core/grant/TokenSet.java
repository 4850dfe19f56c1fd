package dev.latchkey.core.grant;

import dev.latchkey.core.secret.Secret;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The tokens a resource's authorization server issued for one grant. Expiry comes from the access
 * token's lifetime ({@code expires_in}), never from an ID token's; an unknown lifetime is absent.
 *
 * @param accessToken the access token
 * @param refreshToken the refresh token, absent when the server issued none
 * @param tokenType the token type, e.g. {@code Bearer} or {@code DPoP}
 * @param scopes the granted scopes (RFC 6749 §3.3 scope tokens)
 * @param expiresAt when the access token expires, absent when the server did not say
 */
public record TokenSet(
        Secret accessToken,
        @Nullable Secret refreshToken,
        String tokenType,
        Set<String> scopes,
        @Nullable Instant expiresAt) {
    // RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
    private static final Pattern SCOPE_TOKEN = Pattern.compile("[\\x21\\x23-\\x5B\\x5D-\\x7E]+");

    public TokenSet {
        if (tokenType.isBlank()) {
            throw new IllegalArgumentException("token type must not be blank");
        }
        for (String scope : scopes) {
            if (!SCOPE_TOKEN.matcher(scope).matches()) {
                throw new IllegalArgumentException("scope is not an RFC 6749 scope token");
            }
        }
        scopes = Set.copyOf(scopes);
    }

    /** The refresh token, if the server issued one. */
    public Optional<Secret> refreshTokenIfAny() {
        return Optional.ofNullable(refreshToken);
    }

    /** When the access token expires, if known. */
    public Optional<Instant> expiry() {
        return Optional.ofNullable(expiresAt);
    }
}
