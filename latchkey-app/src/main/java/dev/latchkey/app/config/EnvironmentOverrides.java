package dev.latchkey.app.config;

import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The {@code LATCHKEY_*} environment variables that override single keys of the file, so that one
 * file serves several deployments (container platforms set these per instance). An override
 * replaces the file's value before validation and is validated like it; an empty variable counts as
 * unset. Values are taken literally: no {@code ${...}} interpolation.
 */
final class EnvironmentOverrides {

    /** One variable and the key it overrides. */
    record KeyOverride(String variable, String section, String key) {
        String path() {
            return section + "." + key;
        }
    }

    static final List<KeyOverride> ALL = List.of(
            new KeyOverride("LATCHKEY_SERVER_HOST", "server", "host"),
            new KeyOverride("LATCHKEY_SERVER_PORT", "server", "port"),
            new KeyOverride("LATCHKEY_DATABASE_URL", "database", "url"),
            new KeyOverride("LATCHKEY_DATABASE_USER", "database", "user"),
            new KeyOverride("LATCHKEY_DATABASE_PASSWORD", "database", "password"),
            new KeyOverride("LATCHKEY_KEYSET", "keys", "keyset"));

    private EnvironmentOverrides() {}

    /**
     * Writes every set override into the tree. A section that is present but not a mapping is left
     * alone: the validator reports it.
     */
    static void apply(JsonNode root, Function<String, Optional<String>> environment, ScalarOrigins origins) {
        if (!(root instanceof ObjectNode top)) {
            return;
        }
        for (KeyOverride override : ALL) {
            Optional<String> value = environment.apply(override.variable()).filter(v -> !v.isEmpty());
            if (value.isEmpty()) {
                continue;
            }
            JsonNode section = top.get(override.section());
            ObjectNode target;
            if (section == null || section.isNull()) {
                target = top.putObject(override.section());
            } else if (section instanceof ObjectNode existing) {
                target = existing;
            } else {
                continue;
            }
            target.put(override.key(), value.get());
            origins.overridden(override.path());
        }
    }
}
