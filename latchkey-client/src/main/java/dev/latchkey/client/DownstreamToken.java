package dev.latchkey.client;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A working access token for one downstream resource, as {@code GET /v1/tokens/{resource}}
 * returned it: the token (masked in {@link #toString()}), its type, its expiry on this client's
 * clock (server-relative, like {@link Session#expiresAt()}), and its scopes. Not {@link
 * java.io.Serializable}. Do not cache it past {@link #expiresAt()}; ask again, Latchkey refreshes.
 */
public final class DownstreamToken {
    private final SecretValue accessToken;
    private final String tokenType;
    private final @Nullable Instant expiresAt;
    private final Set<String> scopes;

    DownstreamToken(SecretValue accessToken, String tokenType, @Nullable Instant expiresAt, Set<String> scopes) {
        this.accessToken = Objects.requireNonNull(accessToken, "accessToken");
        this.tokenType = Objects.requireNonNull(tokenType, "tokenType");
        this.expiresAt = expiresAt;
        this.scopes = Collections.unmodifiableSet(new LinkedHashSet<>(scopes));
    }

    public SecretValue accessToken() {
        return accessToken;
    }

    /** The token type, e.g. {@code Bearer} (RFC 6749 §7.1). */
    public String tokenType() {
        return tokenType;
    }

    /** When the token expires on the local clock; empty when the server named no expiry. */
    public Optional<Instant> expiresAt() {
        return Optional.ofNullable(expiresAt);
    }

    /** The token's scopes (RFC 6749 §3.3). */
    public Set<String> scopes() {
        return scopes;
    }

    @Override
    public String toString() {
        return "DownstreamToken[accessToken=" + accessToken + ", tokenType=" + tokenType + ", expiresAt=" + expiresAt
                + ", scopes=" + scopes + "]";
    }
}
