/** JMH benchmarks of Latchkey's adapters, run by the scripts in {@code scripts/}. */
@NullMarked
package dev.latchkey.bench;

import org.jspecify.annotations.NullMarked;
