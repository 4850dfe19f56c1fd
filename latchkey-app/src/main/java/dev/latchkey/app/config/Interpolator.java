package dev.latchkey.app.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Replaces {@code ${VAR}} and {@code ${VAR:-default}} in a scalar with values from the environment;
 * <code>$${</code> stands for a literal <code>${</code>. As in a POSIX shell, the default applies when the
 * variable is unset or empty. Substituted values are not scanned again, so a value containing
 * <code>${</code> stays as it is. Failure messages name variables, never values. Thread-safe.
 */
final class Interpolator {
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private final Function<String, Optional<String>> environment;

    Interpolator(Function<String, Optional<String>> environment) {
        this.environment = environment;
    }

    /** The outcome for one scalar. */
    sealed interface Result {}

    /**
     * The interpolated text. {@code interpolated} when at least one {@code ${...}} was replaced;
     * {@code usedDefault} when a default written in the file stood in for a variable.
     */
    record Resolved(String value, boolean interpolated, boolean usedDefault) implements Result {}

    /** Every reason the text could not be interpolated. */
    record Failed(List<String> messages) implements Result {}

    Result interpolate(String text) {
        if (!text.contains("${")) {
            return new Resolved(text, false, false);
        }
        StringBuilder out = new StringBuilder(text.length());
        List<String> failures = new ArrayList<>();
        boolean interpolated = false;
        boolean usedDefault = false;
        int i = 0;
        while (i < text.length()) {
            if (text.startsWith("$${", i)) {
                out.append("${");
                i += 3;
            } else if (text.startsWith("${", i)) {
                int close = text.indexOf('}', i + 2);
                if (close < 0) {
                    failures.add("unterminated ${ (close it with } or write $${ for a literal ${)");
                    break;
                }
                String expression = text.substring(i + 2, close);
                int separator = expression.indexOf(":-");
                String name = separator < 0 ? expression : expression.substring(0, separator);
                Optional<String> value = NAME.matcher(name).matches() ? environment.apply(name) : Optional.empty();
                if (!NAME.matcher(name).matches()) {
                    failures.add("${...} must start with an environment variable name (letters, digits and _,"
                            + " not starting with a digit)");
                } else if (separator >= 0 && value.filter(v -> !v.isEmpty()).isEmpty()) {
                    out.append(expression, separator + 2, expression.length());
                    interpolated = true;
                    usedDefault = true;
                } else if (value.isPresent()) {
                    out.append(value.get());
                    interpolated = true;
                } else {
                    failures.add("environment variable " + name + " is not set");
                }
                i = close + 1;
            } else {
                out.append(text.charAt(i));
                i++;
            }
        }
        return failures.isEmpty() ? new Resolved(out.toString(), interpolated, usedDefault) : new Failed(failures);
    }
}
