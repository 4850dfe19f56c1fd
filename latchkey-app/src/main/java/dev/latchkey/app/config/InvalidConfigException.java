package dev.latchkey.app.config;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Thrown by {@link LoadResult#orElseThrow()} when a configuration is invalid. Its message lists
 * every problem, one per line; like the problems themselves it never contains a secret's value.
 */
public final class InvalidConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    // Exceptions are serializable by inheritance only; nobody serializes this one, and the message
    // already carries every problem.
    private final transient List<ConfigProblem> problems;

    /** Wraps a non-empty list of problems. */
    public InvalidConfigException(List<ConfigProblem> problems) {
        super(problems.stream()
                .map(ConfigProblem::toString)
                .collect(Collectors.joining(
                        System.lineSeparator(), "invalid configuration:" + System.lineSeparator(), "")));
        this.problems = List.copyOf(problems);
    }

    /** Every problem found, in the order of the file. */
    public List<ConfigProblem> problems() {
        return problems;
    }
}
