/** Where the Tink keyset lives (a file or an environment variable) and how it is written safely. */
@NullMarked
package dev.latchkey.app.keys;

import org.jspecify.annotations.NullMarked;
