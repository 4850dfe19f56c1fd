/** Black-box tests of the built application. */
@NullMarked
package dev.latchkey.e2e;

import org.jspecify.annotations.NullMarked;
