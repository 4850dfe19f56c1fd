/**
 * Latchkey's YAML configuration: the typed, immutable records of {@link
 * dev.latchkey.app.config.LatchkeyConfig} and the {@link dev.latchkey.app.config.ConfigLoader}
 * that reads a file, interpolates {@code ${VAR}} references, applies {@code LATCHKEY_*}
 * environment overrides and validates the result against the schema, reporting every problem with
 * the path of the key it concerns.
 *
 * <p>Records never hold {@code null}; a key that may be absent is an {@link java.util.Optional}
 * component, and every collection is an unmodifiable copy in the file's order.
 */
@NullMarked
package dev.latchkey.app.config;

import org.jspecify.annotations.NullMarked;
