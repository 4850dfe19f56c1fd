/** Tests of the structured, redacting log encoder. */
@NullMarked
package dev.latchkey.app.logging;

import org.jspecify.annotations.NullMarked;
