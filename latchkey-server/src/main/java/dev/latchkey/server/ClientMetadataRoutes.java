package dev.latchkey.server;

import dev.latchkey.core.downstream.ClientIdentity;
import dev.latchkey.core.tenant.TenantId;
import io.javalin.http.Context;
import java.util.Map;
import java.util.Set;

/**
 * {@code GET /oauth/client/{tenant}}: Latchkey's Client ID Metadata Document for a tenant, fetched
 * by authorization servers that accept a URL as {@code client_id}. Public and cacheable for an
 * hour; a tenant that does not exist answers {@code 404}.
 */
public final class ClientMetadataRoutes implements RouteModule {
    private final ClientIdentity identity;
    private final Set<TenantId> tenants;

    public ClientMetadataRoutes(ClientIdentity identity, Set<TenantId> tenants) {
        this.identity = identity;
        this.tenants = Set.copyOf(tenants);
    }

    @Override
    public void register(Routes routes) {
        routes.get(ClientIdentity.PATH_PREFIX + "{tenant}", this::document);
    }

    private void document(Context ctx) {
        TenantId tenant;
        try {
            tenant = TenantId.of(ctx.pathParam("tenant"));
        } catch (IllegalArgumentException e) {
            notFound(ctx);
            return;
        }
        if (!tenants.contains(tenant)) {
            notFound(ctx);
            return;
        }
        ctx.header("Cache-Control", "public, max-age=3600");
        ctx.json(identity.document(tenant));
    }

    private static void notFound(Context ctx) {
        ctx.status(404).json(Map.of("error", "not_found"));
    }
}
