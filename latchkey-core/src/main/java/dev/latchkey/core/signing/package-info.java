/** The keys Latchkey signs its own tokens with, and the public key set it publishes. */
@NullMarked
package dev.latchkey.core.signing;

import org.jspecify.annotations.NullMarked;
