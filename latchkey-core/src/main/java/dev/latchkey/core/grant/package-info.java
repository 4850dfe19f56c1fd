/** Stored downstream grants (token sets) per tenant, user and resource, with versioned compare-and-set writes. */
@NullMarked
package dev.latchkey.core.grant;

import org.jspecify.annotations.NullMarked;
