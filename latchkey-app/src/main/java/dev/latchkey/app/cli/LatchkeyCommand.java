package dev.latchkey.app.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The top-level {@code latchkey} command and its subcommands. */
@Command(
        name = "latchkey",
        mixinStandardHelpOptions = true,
        versionProvider = LatchkeyCommand.Version.class,
        description = "Server-side OAuth 2 / OpenID Connect token broker for AI chat and agent platforms.",
        subcommands = {
            ServeCommand.class,
            DemoCommand.class,
            CheckConfigCommand.class,
            KeysCommand.class,
            CommandLine.HelpCommand.class
        })
public final class LatchkeyCommand implements Runnable {
    @CommandLine.Spec
    @SuppressWarnings("NullAway.Init") // injected by picocli before run()
    CommandLine.Model.CommandSpec spec;

    /** Runs the command line and returns the exit code; serving commands return at shutdown. */
    public static int run(String... args) {
        return new CommandLine(new LatchkeyCommand())
                .setCaseInsensitiveEnumValuesAllowed(true)
                .execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The version from the jar manifest ({@code dev} when run from classes). */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = LatchkeyCommand.class.getPackage().getImplementationVersion();
            return new String[] {
                "latchkey " + (version == null ? "dev" : version),
                "Java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")"
            };
        }
    }
}
