package dev.latchkey.app.cli;

import dev.latchkey.app.config.ConfigLoader;
import dev.latchkey.app.config.ConfigProblem;
import dev.latchkey.app.config.LoadResult;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/** {@code --config FILE}, else {@code LATCHKEY_CONFIG}, else {@code ./latchkey.yaml}. */
final class ConfigOption {
    @Option(
            names = {"-c", "--config"},
            paramLabel = "FILE",
            description = "Configuration file (default: $LATCHKEY_CONFIG, else ./latchkey.yaml).")
    @Nullable
    Path config;

    Path path() {
        if (config != null) {
            return config;
        }
        return Optional.ofNullable(System.getenv("LATCHKEY_CONFIG"))
                .map(Path::of)
                .orElse(Path.of("latchkey.yaml"));
    }

    /** Loads the configuration with the process environment, printing warnings and problems. */
    Optional<dev.latchkey.app.config.LatchkeyConfig> load(PrintWriter err) {
        Path path = path();
        LoadResult result = new ConfigLoader(Environment.PROCESS).load(path);
        return report(path.toString(), result, err);
    }

    static Optional<dev.latchkey.app.config.LatchkeyConfig> report(String source, LoadResult result, PrintWriter err) {
        for (ConfigProblem warning : result.warnings()) {
            err.println("warning: " + source + ": " + warning);
        }
        return switch (result) {
            case LoadResult.Loaded loaded -> Optional.of(loaded.config());
            case LoadResult.Invalid invalid -> {
                err.println(source + ": " + invalid.problems().size() + " problem(s):");
                for (ConfigProblem problem : invalid.problems()) {
                    err.println("  " + problem);
                }
                yield Optional.empty();
            }
        };
    }
}
