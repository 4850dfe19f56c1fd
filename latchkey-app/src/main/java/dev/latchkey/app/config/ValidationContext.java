package dev.latchkey.app.config;

import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * What one validation run shares between its readers: the problems and warnings found so far, the
 * origins of the scalars and whether insecure development URLs are allowed. Confined to the thread
 * of one load.
 */
final class ValidationContext {
    final List<ConfigProblem> problems;
    final List<ConfigProblem> warnings = new ArrayList<>();
    final ScalarOrigins origins;
    private boolean allowInsecureHttp;

    ValidationContext(List<ConfigProblem> problems, ScalarOrigins origins) {
        this.problems = problems;
        this.origins = origins;
    }

    void problem(String path, String message) {
        problems.add(new ConfigProblem(path, message));
    }

    void warning(String path, String message) {
        warnings.add(new ConfigProblem(path, message));
    }

    /** What an absent or null section reads as. */
    JsonNode emptyMapping() {
        return JsonNodeFactory.instance.objectNode();
    }

    boolean allowInsecureHttp() {
        return allowInsecureHttp;
    }

    void allowInsecureHttp(boolean allow) {
        allowInsecureHttp = allow;
    }
}
