/** Tenants: the isolation boundary. Every key, lock, cache entry and query carries a {@link dev.latchkey.core.tenant.TenantId}. */
@NullMarked
package dev.latchkey.core.tenant;

import org.jspecify.annotations.NullMarked;
