/** Encryption at rest: authenticated encryption bound to associated data, Tink keysets and rotation. */
@NullMarked
package dev.latchkey.core.crypto;

import org.jspecify.annotations.NullMarked;
