package dev.latchkey.core.inbound;

import dev.latchkey.core.secret.Secret;
import dev.latchkey.core.tenant.TenantId;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * What a request presented, already extracted from HTTP (RFC 6750 §2.1 header parsing happens in
 * the server): at most a bearer token and an API key, plus the tenant the caller named, if any, and
 * the client the request came from (what failed attempts are counted per).
 */
public record Credentials(
        @Nullable TenantId tenantHint,
        @Nullable Secret bearer,
        @Nullable Secret apiKey,
        ClientAddress client,
        @Nullable Secret session) {

    /** Credentials without a browser session cookie. */
    public Credentials(
            @Nullable TenantId tenantHint, @Nullable Secret bearer, @Nullable Secret apiKey, ClientAddress client) {
        this(tenantHint, bearer, apiKey, client, null);
    }

    /** Credentials of an unknown client. */
    public Credentials(@Nullable TenantId tenantHint, @Nullable Secret bearer, @Nullable Secret apiKey) {
        this(tenantHint, bearer, apiKey, ClientAddress.UNKNOWN);
    }

    public Optional<TenantId> tenant() {
        return Optional.ofNullable(tenantHint);
    }

    public Optional<Secret> bearerToken() {
        return Optional.ofNullable(bearer);
    }

    /** The browser session cookie, if the request may be authenticated by one. */
    public Optional<Secret> sessionCookie() {
        return Optional.ofNullable(session);
    }

    public Optional<Secret> apiKeyValue() {
        return Optional.ofNullable(apiKey);
    }
}
