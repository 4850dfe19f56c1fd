/**
 * The downstream token manager (DESIGN.md C5): the resources a tenant's users connect, the
 * interactive connect flow (authorization code + PKCE, bound to tenant, user and resource), and
 * handing out working tokens through the {@link dev.latchkey.core.grant.RefreshCoordinator}.
 */
@NullMarked
package dev.latchkey.core.downstream;

import org.jspecify.annotations.NullMarked;
