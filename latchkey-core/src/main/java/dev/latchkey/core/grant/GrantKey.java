package dev.latchkey.core.grant;

import dev.latchkey.core.identity.UserId;
import dev.latchkey.core.tenant.TenantId;

/**
 * Identifies one stored grant: the token set a user of a tenant holds for a resource. It is the
 * key of the canonical row, of its lease and of every cache entry derived from it.
 */
public record GrantKey(TenantId tenant, UserId user, ResourceName resource) {

    public static GrantKey of(String tenant, String user, String resource) {
        return new GrantKey(TenantId.of(tenant), UserId.of(user), ResourceName.of(resource));
    }

    @Override
    public String toString() {
        return tenant + "/" + user + "/" + resource;
    }
}
