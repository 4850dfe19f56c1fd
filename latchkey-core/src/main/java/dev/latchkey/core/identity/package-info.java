/** Local users and how callers are identified. */
@NullMarked
package dev.latchkey.core.identity;

import org.jspecify.annotations.NullMarked;
