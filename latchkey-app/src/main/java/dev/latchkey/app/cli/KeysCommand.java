package dev.latchkey.app.cli;

import dev.latchkey.app.keys.KeysetFiles;
import dev.latchkey.core.crypto.InvalidKeysetException;
import dev.latchkey.core.crypto.Keyset;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code latchkey keys}: manage the Tink keyset that encrypts stored tokens. Rotation adds a new
 * primary key and keeps the old ones, so nothing stored becomes unreadable; {@code reseal} then
 * re-encrypts every row under the primary, after which old keys can be disabled.
 */
@Command(
        name = "keys",
        description = "Manage the keyset that encrypts stored tokens (generate, rotate, list, disable, reseal).",
        subcommands = {
            KeysCommand.Generate.class,
            KeysCommand.Rotate.class,
            KeysCommand.ListKeys.class,
            KeysCommand.Disable.class,
            ResealCommand.class
        })
final class KeysCommand {

    private KeysCommand() {}

    /** Options shared by the keyset file commands. */
    static final class KeysetFileOption {
        @Option(
                names = "--keyset",
                paramLabel = "FILE",
                defaultValue = "data/keyset.json",
                description = "Keyset file (default: ${DEFAULT-VALUE}).")
        Path keyset = Path.of("data/keyset.json");
    }

    @Command(name = "generate", description = "Create a new keyset with one AES-256-GCM key.")
    static final class Generate implements Callable<Integer> {
        @Spec
        @SuppressWarnings("NullAway.Init") // injected by picocli before call()
        CommandSpec spec;

        @picocli.CommandLine.Mixin
        KeysetFileOption file = new KeysetFileOption();

        @Option(
                names = "--force",
                description = "Replace an existing keyset. Everything sealed under it becomes unreadable.")
        boolean force;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            Keyset keyset = Keyset.generate();
            try {
                KeysetFiles.write(file.keyset, keyset, force);
            } catch (FileAlreadyExistsException e) {
                err.println("keyset file " + file.keyset + " already exists; use 'latchkey keys rotate' to add a key,"
                        + " or --force to replace it (tokens sealed under it become unreadable)");
                return ExitCodes.PROBLEM;
            } catch (IOException e) {
                err.println("cannot write keyset file " + file.keyset + ": "
                        + e.getClass().getSimpleName());
                return ExitCodes.PROBLEM;
            }
            out.println("wrote keyset " + file.keyset + " (primary key " + keyset.primaryKeyId() + ", owner-only)");
            return ExitCodes.OK;
        }
    }

    @Command(name = "rotate", description = "Add a new primary key; old keys stay enabled for reading.")
    static final class Rotate implements Callable<Integer> {
        @Spec
        @SuppressWarnings("NullAway.Init") // injected by picocli before call()
        CommandSpec spec;

        @picocli.CommandLine.Mixin
        KeysetFileOption file = new KeysetFileOption();

        @Override
        public Integer call() {
            return update(
                    spec,
                    file,
                    Keyset::rotate,
                    "rotated: new primary key %d; run 'latchkey keys reseal'"
                            + " to re-encrypt stored tokens, then disable old keys");
        }
    }

    @Command(
            name = "disable",
            description = "Disable a non-primary key: what is still sealed under it becomes unreadable.")
    static final class Disable implements Callable<Integer> {
        @Spec
        @SuppressWarnings("NullAway.Init") // injected by picocli before call()
        CommandSpec spec;

        @picocli.CommandLine.Mixin
        KeysetFileOption file = new KeysetFileOption();

        @Parameters(paramLabel = "KEY_ID", description = "Id of the key to disable (see 'latchkey keys list').")
        long keyId;

        @Override
        public Integer call() {
            return update(spec, file, keyset -> keyset.disable(keyId), "disabled key " + keyId + "; primary is %d");
        }
    }

    @Command(name = "list", description = "List key ids, status and the primary. Never prints key material.")
    static final class ListKeys implements Callable<Integer> {
        @Spec
        @SuppressWarnings("NullAway.Init") // injected by picocli before call()
        CommandSpec spec;

        @picocli.CommandLine.Mixin
        KeysetFileOption file = new KeysetFileOption();

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            try {
                Keyset loaded = KeysetFiles.read(file.keyset);
                out.printf("%-12s %-10s %-8s %s%n", "KEY ID", "STATUS", "PRIMARY", "TYPE");
                for (Keyset.KeyInfo key : loaded.describe()) {
                    out.printf("%-12d %-10s %-8s %s%n", key.id(), key.status(), key.primary() ? "yes" : "", key.type());
                }
                return ExitCodes.OK;
            } catch (InvalidKeysetException e) {
                spec.commandLine().getErr().println(e.getMessage());
                return ExitCodes.PROBLEM;
            }
        }
    }

    /** A change of the keyset file. */
    @FunctionalInterface
    interface KeysetChange {
        Keyset apply(Keyset keyset) throws InvalidKeysetException;
    }

    private static int update(CommandSpec spec, KeysetFileOption file, KeysetChange change, String done) {
        PrintWriter err = spec.commandLine().getErr();
        try {
            Keyset changed = change.apply(KeysetFiles.read(file.keyset));
            KeysetFiles.write(file.keyset, changed, true);
            spec.commandLine().getOut().println(String.format(done, changed.primaryKeyId()));
            return ExitCodes.OK;
        } catch (InvalidKeysetException e) {
            err.println(e.getMessage());
        } catch (IOException e) {
            err.println("cannot write keyset file " + file.keyset + ": "
                    + e.getClass().getSimpleName());
        }
        return ExitCodes.PROBLEM;
    }
}
