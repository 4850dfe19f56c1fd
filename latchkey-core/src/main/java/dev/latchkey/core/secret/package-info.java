/**
 * Secrets as a type whose text form is a fingerprint, so that logging one leaks nothing, and the
 * deployment's own generated secrets, kept sealed.
 */
@NullMarked
package dev.latchkey.core.secret;

import org.jspecify.annotations.NullMarked;
