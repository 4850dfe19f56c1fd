/**
 * The HTTP adapter: a Javalin server with health, metrics, request ids, access logging and one
 * place where errors become HTTP answers. Handlers stay thin and call core.
 */
@NullMarked
package dev.latchkey.server;

import org.jspecify.annotations.NullMarked;
