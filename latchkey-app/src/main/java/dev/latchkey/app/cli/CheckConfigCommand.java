package dev.latchkey.app.cli;

import dev.latchkey.app.config.ConfigLoader;
import dev.latchkey.app.config.KeysetSource;
import dev.latchkey.app.config.LatchkeyConfig;
import dev.latchkey.app.keys.KeysetFiles;
import dev.latchkey.core.crypto.InvalidKeysetException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code latchkey check-config FILE}: validates a configuration with the process environment and
 * prints every problem (exit 1) or a summary (exit 0). Secrets are never printed.
 */
@Command(name = "check-config", description = "Validate a configuration file and print every problem.")
final class CheckConfigCommand implements Callable<Integer> {
    @Spec
    @SuppressWarnings("NullAway.Init") // injected by picocli before call()
    CommandSpec spec;

    @Parameters(paramLabel = "FILE", description = "The configuration file.")
    @SuppressWarnings("NullAway.Init") // required parameter, set by picocli
    Path file;

    @Option(names = "--print", description = "Print the effective configuration, secrets masked.")
    boolean print;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Optional<LatchkeyConfig> loaded =
                ConfigOption.report(file.toString(), new ConfigLoader(Environment.PROCESS).load(file), err);
        if (loaded.isEmpty()) {
            return ExitCodes.PROBLEM;
        }
        LatchkeyConfig config = loaded.get();
        Optional<String> keysetProblem = keysetProblem(config);
        if (keysetProblem.isPresent()) {
            err.println(file + ": 1 problem(s):");
            err.println("  keys.keyset: " + keysetProblem.get());
            return ExitCodes.PROBLEM;
        }
        out.println(file + ": OK (" + config.tenants().size() + " tenant(s): "
                + String.join(
                        ", ",
                        config.tenants().keySet().stream().map(Object::toString).toList()) + ")");
        if (print) {
            out.print(config.describe());
            out.flush();
        }
        return ExitCodes.OK;
    }

    /** A keyset that cannot be loaded is a problem, unless development mode will generate it. */
    private static Optional<String> keysetProblem(LatchkeyConfig config) {
        KeysetSource source = config.keys().keyset();
        if (source instanceof KeysetSource.FromFile file
                && config.development().generateKeyset()
                && !Files.exists(file.path())) {
            return Optional.empty();
        }
        try {
            KeysetFiles.load(source);
            return Optional.empty();
        } catch (InvalidKeysetException e) {
            return Optional.of(String.valueOf(e.getMessage()));
        }
    }
}
