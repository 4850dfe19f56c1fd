package dev.latchkey.core.inbound;

import dev.latchkey.core.tenant.TenantId;

/**
 * What failed attempts are counted per: one client within one tenant. A client's failures in one
 * tenant never block it in another, and one client's failures never block another client.
 *
 * @param tenant the tenant the attempts were made in
 * @param client where the attempts came from
 */
public record AttemptKey(TenantId tenant, ClientAddress client) {}
