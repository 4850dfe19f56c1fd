/** Readiness checks that adapters contribute and the server reports. */
@NullMarked
package dev.latchkey.core.health;

import org.jspecify.annotations.NullMarked;
