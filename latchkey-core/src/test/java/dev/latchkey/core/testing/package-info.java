/** Test helpers shared by the core's test packages. */
@NullMarked
package dev.latchkey.core.testing;

import org.jspecify.annotations.NullMarked;
