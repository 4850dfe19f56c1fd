package dev.latchkey.core.identity;

import dev.latchkey.core.tenant.TenantId;
import java.util.Map;
import java.util.Optional;

/**
 * The current identity policy of each tenant. Asked on every resolution and API key use, so a
 * tenant switched off or reconfigured takes effect on the next request without a restart. An
 * unknown tenant has no policy and nothing resolves in it. Implementations are thread-safe.
 */
@FunctionalInterface
public interface IdentityPolicies {

    Optional<IdentityPolicy> forTenant(TenantId tenant);

    /** Fixed policies, e.g. from a configuration file. */
    static IdentityPolicies of(Map<TenantId, IdentityPolicy> policies) {
        Map<TenantId, IdentityPolicy> copy = Map.copyOf(policies);
        return tenant -> Optional.ofNullable(copy.get(tenant));
    }
}
