package dev.latchkey.app.cli;

import dev.latchkey.app.Application;
import dev.latchkey.app.config.LatchkeyConfig;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code latchkey serve}: runs Latchkey from a configuration file until SIGTERM/SIGINT. */
@Command(name = "serve", description = "Run Latchkey with a configuration file.")
final class ServeCommand implements Callable<Integer> {
    @Spec
    @SuppressWarnings("NullAway.Init") // injected by picocli before call()
    CommandSpec spec;

    @Mixin
    ConfigOption config = new ConfigOption();

    @Override
    public Integer call() {
        Optional<LatchkeyConfig> loaded = config.load(spec.commandLine().getErr());
        if (loaded.isEmpty()) {
            return ExitCodes.PROBLEM;
        }
        Optional<Application> application =
                Launch.start(loaded.get(), spec.commandLine().getErr());
        return application.map(Launch::serveUntilShutdown).orElse(ExitCodes.PROBLEM);
    }
}
