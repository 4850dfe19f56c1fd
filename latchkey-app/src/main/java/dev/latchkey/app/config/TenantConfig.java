package dev.latchkey.app.config;

import dev.latchkey.core.grant.ResourceName;
import dev.latchkey.core.tenant.TenantId;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One tenant: the issuers whose bearer tokens it accepts, how identities are resolved, whether API
 * keys are allowed, the browser login client, the CORS allowlist, the trusted backend services and
 * the downstream resources. Nothing here is shared with another tenant.
 */
public record TenantConfig(
        TenantId id,
        List<IssuerConfig> issuers,
        IdentityConfig identity,
        ApiKeysConfig apiKeys,
        Optional<LoginConfig> login,
        CorsConfig cors,
        List<ServiceConfig> services,
        Map<ResourceName, ResourceConfig> resources) {

    /** Copies the collections, keeping the file's order. */
    public TenantConfig {
        issuers = List.copyOf(issuers);
        services = List.copyOf(services);
        resources = Collections.unmodifiableMap(new LinkedHashMap<>(resources));
    }

    /** The resource with this name, if this tenant configures it. */
    public Optional<ResourceConfig> resource(ResourceName name) {
        return Optional.ofNullable(resources.get(name));
    }
}
