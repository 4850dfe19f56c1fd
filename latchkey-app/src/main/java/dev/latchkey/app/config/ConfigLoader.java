package dev.latchkey.app.config;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import tools.jackson.databind.JsonNode;

/**
 * Loads Latchkey's YAML configuration: parses the text, interpolates {@code ${VAR}} and
 * {@code ${VAR:-default}} in every scalar, applies the {@code LATCHKEY_*} overrides, and validates
 * the result against the schema, collecting every problem (with its path) instead of stopping at the
 * first. The environment is a function so that tests can supply their own; nothing else is read
 * but the configuration file and the secret files it names. Stateless and thread-safe.
 */
public final class ConfigLoader {
    /** The environment variable naming the configuration file when {@code --config} is not given. */
    public static final String CONFIG_VARIABLE = "LATCHKEY_CONFIG";

    /** The file read when neither {@code --config} nor {@code LATCHKEY_CONFIG} is given. */
    public static final Path DEFAULT_CONFIG_FILE = Path.of("latchkey.yaml");

    private final Function<String, Optional<String>> environment;

    /** A loader reading variables from {@code environment} (name to value, empty when unset). */
    public ConfigLoader(Function<String, Optional<String>> environment) {
        this.environment = environment;
    }

    /** A loader reading the process environment. */
    public static ConfigLoader withSystemEnvironment() {
        return new ConfigLoader(name -> Optional.ofNullable(System.getenv(name)));
    }

    /**
     * The configuration file to read when {@code --config} is not given: {@code LATCHKEY_CONFIG} if
     * set and not blank, else {@code ./latchkey.yaml}.
     */
    public static Path defaultConfigFile(Function<String, Optional<String>> environment) {
        return environment
                .apply(CONFIG_VARIABLE)
                .filter(value -> !value.isBlank())
                .map(Path::of)
                .orElse(DEFAULT_CONFIG_FILE);
    }

    /** Loads the file; an unreadable file is reported as a problem, not thrown. */
    public LoadResult load(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return invalid("configuration file " + file + " does not exist");
        } catch (CharacterCodingException e) {
            return invalid("configuration file " + file + " is not UTF-8 text");
        } catch (IOException e) {
            return invalid("cannot read configuration file " + file + " ("
                    + e.getClass().getSimpleName() + ")");
        }
        return loadText(text);
    }

    /** Loads configuration text, as if read from a file. */
    public LoadResult loadText(String yaml) {
        List<ConfigProblem> problems = new ArrayList<>();
        ScalarOrigins origins = new ScalarOrigins();
        JsonNode root = new YamlTreeReader(new Interpolator(environment), origins, problems).read(yaml);
        if (root == null) {
            return new LoadResult.Invalid(problems, List.of());
        }
        EnvironmentOverrides.apply(root, environment, origins);
        ValidationContext context = new ValidationContext(problems, origins);
        LatchkeyConfig config = new ConfigValidator(context, environment).validate(root);
        if (config == null || !problems.isEmpty()) {
            if (problems.isEmpty()) {
                throw new IllegalStateException("the validator rejected a configuration without saying why");
            }
            return new LoadResult.Invalid(problems, context.warnings);
        }
        return new LoadResult.Loaded(config, context.warnings);
    }

    private static LoadResult invalid(String message) {
        return new LoadResult.Invalid(List.of(new ConfigProblem("", message)), List.of());
    }
}
