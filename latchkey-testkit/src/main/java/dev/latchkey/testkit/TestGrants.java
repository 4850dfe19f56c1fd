package dev.latchkey.testkit;

import dev.latchkey.core.grant.GrantKey;
import dev.latchkey.core.grant.TokenSet;
import dev.latchkey.core.secret.Secret;
import java.time.Instant;
import java.util.Set;
import java.util.UUID;

/** Builders of grant keys and token sets for tests; each token value is unique. */
public final class TestGrants {
    private TestGrants() {}

    public static GrantKey key(String tenant, String user, String resource) {
        return GrantKey.of(tenant, user, resource);
    }

    /** A token set with unique access and refresh tokens that expires at {@code expiresAt}. */
    public static TokenSet tokens(Instant expiresAt) {
        return new TokenSet(
                Secret.of("at-" + UUID.randomUUID()),
                Secret.of("rt-" + UUID.randomUUID()),
                "Bearer",
                Set.of("read", "write"),
                expiresAt);
    }

    /** A token set that expired an hour before {@code now}. */
    public static TokenSet expired(Instant now) {
        return tokens(now.minusSeconds(3600));
    }

    /** A token set valid for an hour after {@code now}. */
    public static TokenSet fresh(Instant now) {
        return tokens(now.plusSeconds(3600));
    }
}
