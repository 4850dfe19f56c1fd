/**
 * Inbound credentials: bearer tokens from a tenant's identity providers (C1) and API keys, turned
 * into an authenticated {@link dev.latchkey.core.identity.Principal} or a typed refusal that maps
 * onto RFC 6750.
 */
@NullMarked
package dev.latchkey.core.inbound;

import org.jspecify.annotations.NullMarked;
