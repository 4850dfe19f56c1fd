package dev.latchkey.app.cli;

import java.util.Optional;
import java.util.function.Function;

/** The process environment as the configuration loader reads it. */
final class Environment {
    static final Function<String, Optional<String>> PROCESS = name -> Optional.ofNullable(System.getenv(name));

    private Environment() {}
}
