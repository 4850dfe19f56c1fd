/**
 * Latchkey's core: domain values, ports and the services built on them. Nothing here knows HTTP
 * servers, SQL or configuration files; adapters in other modules implement the ports.
 */
@NullMarked
package dev.latchkey.core;

import org.jspecify.annotations.NullMarked;
