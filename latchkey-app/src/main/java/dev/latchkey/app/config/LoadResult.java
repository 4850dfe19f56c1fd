package dev.latchkey.app.config;

import java.util.List;

/**
 * What {@link ConfigLoader} makes of a configuration: either the validated {@link LatchkeyConfig}
 * or every problem found. Both carry warnings: things that are allowed but deserve attention, such
 * as a client secret written in plain text in the file.
 */
public sealed interface LoadResult {

    /** Warnings, in the order of the file; empty when there is nothing to note. */
    List<ConfigProblem> warnings();

    /**
     * The configuration, or an {@link InvalidConfigException} listing every problem.
     *
     * @throws InvalidConfigException if the configuration is invalid
     */
    default LatchkeyConfig orElseThrow() {
        return switch (this) {
            case Loaded loaded -> loaded.config();
            case Invalid invalid -> throw new InvalidConfigException(invalid.problems());
        };
    }

    /** A configuration that passed every rule. */
    record Loaded(LatchkeyConfig config, List<ConfigProblem> warnings) implements LoadResult {
        /** Copies the warnings. */
        public Loaded {
            warnings = List.copyOf(warnings);
        }
    }

    /** A configuration that broke at least one rule; {@code problems} is never empty. */
    record Invalid(List<ConfigProblem> problems, List<ConfigProblem> warnings) implements LoadResult {
        /** Copies the lists and rejects an empty list of problems. */
        public Invalid {
            if (problems.isEmpty()) {
                throw new IllegalArgumentException("an invalid configuration has at least one problem");
            }
            problems = List.copyOf(problems);
            warnings = List.copyOf(warnings);
        }
    }
}
