package dev.latchkey.core.downstream;

import dev.latchkey.core.grant.GrantKey;
import dev.latchkey.core.grant.GrantLookup;
import dev.latchkey.core.grant.GrantUsage;
import dev.latchkey.core.grant.RefreshCoordinator;
import dev.latchkey.core.grant.ResourceName;
import dev.latchkey.core.grant.TokenResult;
import dev.latchkey.core.grant.TokenStore;
import dev.latchkey.core.identity.UserId;
import dev.latchkey.core.tenant.TenantId;
import java.time.Clock;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands every downstream call a working token (DESIGN.md C5/C7): the stored grant, refreshed first
 * when it is within the resource's skew window, or refreshed once for all callers when the
 * resource rejected it. When no usable grant is left, the answer carries the URL of a connect flow
 * so the caller can send the user through consent — silent refresh first, interactive last.
 *
 * <p>Every token handed out is recorded as a use of its grant ({@link GrantUsage}; throttle it with
 * {@link dev.latchkey.core.grant.ThrottledGrantUsage}), so that proactive refresh keeps used grants
 * fresh and lets unused ones expire.
 */
public final class TokenManager {
    private static final Logger LOG = LoggerFactory.getLogger(TokenManager.class);

    private final ResourceCatalog catalog;
    private final RefreshCoordinator coordinator;
    private final Connections connections;
    private final TokenStore store;
    private final GrantUsage usage;
    private final Clock clock;

    public TokenManager(
            ResourceCatalog catalog,
            RefreshCoordinator coordinator,
            Connections connections,
            TokenStore store,
            GrantUsage usage,
            Clock clock) {
        this.catalog = catalog;
        this.coordinator = coordinator;
        this.connections = connections;
        this.store = store;
        this.usage = usage;
        this.clock = clock;
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

    /**
     * Scope step-up: the resource refused the user's token for lack of {@code required} scopes
     * ({@code 403 insufficient_scope}). Answers a connect flow asking for the union of what the
     * grant holds and what is required — once: when the grant already holds every required scope,
     * consenting again cannot help, and the answer is a refusal rather than another loop through
     * consent.
     */
    public TokenAnswer stepUp(TenantId tenant, UserId user, ResourceName resource, Set<String> required) {
        Optional<TokenAnswer> refusal = refusal(catalog.find(tenant, resource));
        if (refusal.isPresent()) {
            return refusal.get();
        }
        GrantKey key = new GrantKey(tenant, user, resource);
        Set<String> granted = store.find(key) instanceof GrantLookup.Found found
                ? found.grant().tokens().scopes()
                : Set.of();
        if (!required.isEmpty() && granted.containsAll(required)) {
            return new TokenAnswer.Refused(
                    "insufficient_scope",
                    "the grant already holds the required scopes and the resource still refuses it");
        }
        Set<String> union = new TreeSet<>(granted);
        union.addAll(required);
        return switch (connections.start(tenant, user, resource, union, null)) {
            case ConnectStart.Started started ->
                new TokenAnswer.AuthorizationRequired("insufficient_scope", started.authorizationUrl());
            case ConnectStart.Unavailable unavailable -> new TokenAnswer.Unavailable(unavailable.retryAfter());
            case ConnectStart.Refused refused -> new TokenAnswer.Refused(refused.error(), refused.description());
        };
    }

    private TokenAnswer answer(
            TenantId tenant, UserId user, ResourceName resource, Function<ResourceClient, TokenResult> fetch) {
        ResourceCatalog.Lookup lookup = catalog.find(tenant, resource);
        if (!(lookup instanceof ResourceCatalog.Lookup.Known known)) {
            return refusal(lookup).orElseThrow();
        }
        ResourceClient client = known.resource();
        return switch (fetch.apply(client)) {
            case TokenResult.Fresh fresh -> {
                recordUse(fresh.grant().key());
                yield new TokenAnswer.Token(fresh.grant());
            }
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

    /** The answer for a resource that cannot be served, or empty for a known one. */
    private static Optional<TokenAnswer> refusal(ResourceCatalog.Lookup lookup) {
        return switch (lookup) {
            case ResourceCatalog.Lookup.Known known -> Optional.empty();
            case ResourceCatalog.Lookup.Unknown unknown ->
                Optional.of(new TokenAnswer.Refused("unknown_resource", "the tenant has no resource of that name"));
            case ResourceCatalog.Lookup.NotConnectable notConnectable ->
                Optional.of(new TokenAnswer.Refused(
                        "not_connectable", "the resource's tokens come from token exchange, which is not served yet"));
            case ResourceCatalog.Lookup.Unavailable unavailable ->
                Optional.of(new TokenAnswer.Unavailable(unavailable.retryAfter()));
        };
    }

    /**
     * Use only steers proactive refresh: failing to record it costs at most an on-demand refresh
     * later, so it never fails the caller's request.
     */
    private void recordUse(GrantKey key) {
        try {
            usage.recordUse(key, clock.instant());
        } catch (RuntimeException e) {
            LOG.atDebug().log(
                    "recording a grant's use failed ({})", e.getClass().getSimpleName());
        }
    }
}
