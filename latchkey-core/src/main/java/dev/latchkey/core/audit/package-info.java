/** Audit events: who did what in which tenant, never with a secret in them. */
@NullMarked
package dev.latchkey.core.audit;

import org.jspecify.annotations.NullMarked;
