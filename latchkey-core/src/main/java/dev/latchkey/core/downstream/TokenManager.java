package dev.latchkey.core.downstream;

import dev.latchkey.core.grant.GrantKey;
import dev.latchkey.core.grant.RefreshCoordinator;
import dev.latchkey.core.grant.ResourceName;
import dev.latchkey.core.grant.TokenResult;
import dev.latchkey.core.identity.UserId;
import dev.latchkey.core.tenant.TenantId;
import java.util.Set;
import java.util.function.Function;

/**
 * Hands every downstream call a working token (DESIGN.md C5/C7): the stored grant, refreshed first
 * when it is within the resource's skew window, or refreshed once for all callers when the
 * resource rejected it. When no usable grant is left, the answer carries the URL of a connect flow
 * so the caller can send the user through consent — silent refresh first, interactive last.
 */
public final class TokenManager {
    private final ResourceCatalog catalog;
    private final RefreshCoordinator coordinator;
    private final Connections connections;

    public TokenManager(ResourceCatalog catalog, RefreshCoordinator coordinator, Connections connections) {
        this.catalog = catalog;
        this.coordinator = coordinator;
        this.connections = connections;
    }

    /** A token for {@code user} at {@code resource}, refreshed first when it expires soon. */
    public TokenAnswer token(TenantId tenant, UserId user, ResourceName resource) {
        return answer(
                tenant,
                user,
                resource,
                client -> coordinator.currentToken(new GrantKey(tenant, user, resource), client.refreshSkew()));
    }

    /**
     * A replacement for a token the resource rejected, named by its SHA-256 (lower-case hex): the
     * stored one when it already differs, else one forced refresh shared by every caller.
     *
     * @throws IllegalArgumentException if the hash is not 64 hex digits
     */
    public TokenAnswer afterRejection(TenantId tenant, UserId user, ResourceName resource, String rejectedSha256) {
        return answer(
                tenant,
                user,
                resource,
                client -> coordinator.refreshAfterRejection(new GrantKey(tenant, user, resource), rejectedSha256));
    }

    private TokenAnswer answer(
            TenantId tenant, UserId user, ResourceName resource, Function<ResourceClient, TokenResult> fetch) {
        ResourceClient client;
        switch (catalog.find(tenant, resource)) {
            case ResourceCatalog.Lookup.Known known -> client = known.resource();
            case ResourceCatalog.Lookup.Unknown unknown -> {
                return new TokenAnswer.Refused("unknown_resource", "the tenant has no resource of that name");
            }
            case ResourceCatalog.Lookup.NotConnectable notConnectable -> {
                return new TokenAnswer.Refused(
                        "not_connectable", "the resource's tokens come from token exchange, which is not served yet");
            }
            case ResourceCatalog.Lookup.Unavailable unavailable -> {
                return new TokenAnswer.Unavailable(unavailable.retryAfter());
            }
        }
        return switch (fetch.apply(client)) {
            case TokenResult.Fresh fresh -> new TokenAnswer.Token(fresh.grant());
            case TokenResult.TemporarilyUnavailable unavailable ->
                new TokenAnswer.Unavailable(unavailable.retryAfter());
            case TokenResult.AuthorizationRequired required ->
                switch (connections.start(tenant, user, resource, Set.of(), null)) {
                    case ConnectStart.Started started ->
                        new TokenAnswer.AuthorizationRequired(required.reason(), started.authorizationUrl());
                    case ConnectStart.Unavailable unavailable -> new TokenAnswer.Unavailable(unavailable.retryAfter());
                    case ConnectStart.Refused refused -> new TokenAnswer.AuthorizationRequired(required.reason(), null);
                };
        };
    }
}
