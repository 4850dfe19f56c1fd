/** The {@code latchkey} command line (picocli): serve, demo, check-config and keys. */
@NullMarked
package dev.latchkey.app.cli;

import org.jspecify.annotations.NullMarked;
