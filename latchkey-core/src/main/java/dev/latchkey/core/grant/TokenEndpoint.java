package dev.latchkey.core.grant;

import dev.latchkey.core.secret.Secret;
import java.time.Duration;

/**
 * The port to a resource's authorization server for refreshing a grant. Implementations are
 * thread-safe, never throw for a failed refresh (every failure is a {@link RefreshOutcome}) and
 * give up once {@code deadline} has passed.
 */
public interface TokenEndpoint {

    /**
     * Redeems {@code refreshToken} for the grant {@code key} at the grant's authorization server.
     *
     * @param deadline how long the call may take in total, connecting included
     */
    RefreshOutcome refresh(GrantKey key, Secret refreshToken, Duration deadline);
}
