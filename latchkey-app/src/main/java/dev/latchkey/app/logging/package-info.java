/**
 * Structured logging: a Logback encoder that writes one JSON object per line, with every string
 * escaped and every secret-shaped value replaced by a fingerprint before it is written.
 */
@NullMarked
package dev.latchkey.app.logging;

import org.jspecify.annotations.NullMarked;
