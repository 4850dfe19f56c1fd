/**
 * JDBC adapters of the core ports, identical on H2 (embedded default) and PostgreSQL (production,
 * several replicas): the connection pool and migrations, the sealed token store and the audit log.
 */
@NullMarked
package dev.latchkey.store;

import org.jspecify.annotations.NullMarked;
