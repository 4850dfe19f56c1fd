/**
 * The application: the command line and the one place where configuration is loaded and every
 * adapter is wired to the core.
 */
@NullMarked
package dev.latchkey.app;

import org.jspecify.annotations.NullMarked;
