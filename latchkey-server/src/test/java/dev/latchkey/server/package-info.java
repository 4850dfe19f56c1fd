/** Tests of the HTTP adapter, each against a real server on a random loopback port. */
@NullMarked
package dev.latchkey.server;

import org.jspecify.annotations.NullMarked;
