package dev.latchkey.core.grant;

import dev.latchkey.core.secret.Secret;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The {@link TokenEndpoint} port answered in memory the way a rotating authorization server
 * (Entra, Keycloak) answers: every refresh issues a new refresh token, and redeeming one twice is
 * refused with {@code invalid_grant}. It records every call with the instant of the injected clock,
 * so core tests can assert how many refreshes happened and when, without a network. The store
 * module's tests do the same against mock-oauth2-server.
 */
final class InMemoryAuthorizationServer implements TokenEndpoint {
    /** One call: which grant, at what instant, and whether it was a refused reuse. */
    record Call(GrantKey key, Instant at, boolean reused) {}

    private final Clock clock;
    private final Duration lifetime;
    private final Map<String, GrantKey> live = new HashMap<>();
    private final List<Call> calls = new ArrayList<>();

    InMemoryAuthorizationServer(Clock clock, Duration lifetime) {
        this.clock = clock;
        this.lifetime = lifetime;
    }

    /** Tokens as a connect flow would have issued them, with a live refresh token. */
    synchronized TokenSet issue(GrantKey key, Instant expiresAt) {
        String refreshToken = "rt-" + UUID.randomUUID();
        live.put(refreshToken, key);
        return new TokenSet(
                Secret.of("at-" + UUID.randomUUID()), Secret.of(refreshToken), "Bearer", Set.of(), expiresAt);
    }

    @Override
    public synchronized RefreshOutcome refresh(GrantKey key, Secret refreshToken, Duration deadline) {
        String presented = refreshToken.reveal();
        GrantKey owner = live.remove(presented);
        if (owner == null || !owner.equals(key)) {
            calls.add(new Call(key, clock.instant(), true));
            return new RefreshOutcome.Terminal("invalid_grant");
        }
        calls.add(new Call(key, clock.instant(), false));
        return new RefreshOutcome.Refreshed(issue(key, clock.instant().plus(lifetime)));
    }

    synchronized List<Call> calls() {
        return List.copyOf(calls);
    }
}
