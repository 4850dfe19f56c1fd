package dev.latchkey.core.grant;

import dev.latchkey.core.secret.Secret;
import java.net.URI;
import java.time.Duration;

/**
 * The port to a resource's authorization server for starting and ending grants: redeeming an
 * authorization code and revoking a refresh token. Implementations are thread-safe, never throw
 * for a failed call and give up once {@code deadline} has passed.
 */
public interface ConnectEndpoint {

    /**
     * Redeems an authorization code (RFC 6749 §4.1.3) with its PKCE verifier (RFC 7636 §4.5) for
     * the grant {@code key}; {@code redirectUri} is the one the authorization request named.
     */
    RefreshOutcome redeem(GrantKey key, Secret code, Secret codeVerifier, URI redirectUri, Duration deadline);

    /**
     * Asks the server to revoke a refresh token (RFC 7009), and with it the grant.
     *
     * @return whether the server confirmed; false when it has no revocation endpoint or failed
     */
    boolean revoke(GrantKey key, Secret refreshToken, Duration deadline);
}
