/**
 * Shared test peers and builders: a real OAuth 2 / OIDC server in process, fresh PostgreSQL
 * databases, a clock tests can move, and test grants.
 */
@NullMarked
package dev.latchkey.testkit;

import org.jspecify.annotations.NullMarked;
