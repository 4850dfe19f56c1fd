/** The refresh coordinator against a real Keycloak and real PostgreSQL (the {@code keycloak} profile). */
@NullMarked
package dev.latchkey.keycloak;

import org.jspecify.annotations.NullMarked;
