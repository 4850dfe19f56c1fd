/**
 * Downstream resources and their authorization servers: RFC 9728 protected-resource metadata, RFC
 * 8414 and OpenID Connect discovery, and the policy deciding which URLs Latchkey may fetch.
 */
@NullMarked
package dev.latchkey.core.resource;

import org.jspecify.annotations.NullMarked;
