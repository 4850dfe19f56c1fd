package dev.latchkey.app.cli;

import dev.latchkey.app.Application;
import dev.latchkey.app.config.KeysetSource;
import dev.latchkey.app.config.LatchkeyConfig;
import dev.latchkey.app.keys.KeysetFiles;
import dev.latchkey.core.crypto.InvalidKeysetException;
import dev.latchkey.core.crypto.Keyset;
import dev.latchkey.store.DatabaseUnavailableException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Starting the application from a validated configuration, shared by {@code serve} and {@code demo}. */
final class Launch {
    private static final Logger LOG = LoggerFactory.getLogger(Launch.class);

    private Launch() {}

    /**
     * Loads the keyset (generating a development one where the configuration allows it) and starts
     * the application; reports failures as one clear line each.
     */
    static Optional<Application> start(LatchkeyConfig config, PrintWriter err) {
        long started = System.nanoTime();
        try {
            Keyset keyset = keyset(config, err);
            Application application = Application.start(config, keyset, Clock.systemUTC());
            LOG.atInfo()
                    .addKeyValue("url", "http://" + config.server().host() + ":" + application.port())
                    .addKeyValue("startup_ms", (System.nanoTime() - started) / 1_000_000)
                    .log("Latchkey ready");
            return Optional.of(application);
        } catch (InvalidKeysetException e) {
            err.println("cannot start: keys.keyset: " + e.getMessage());
        } catch (DatabaseUnavailableException e) {
            err.println("cannot start: database: " + e.getMessage());
        } catch (IOException e) {
            err.println("cannot start: cannot write the development keyset ("
                    + e.getClass().getSimpleName() + ")");
        } catch (RuntimeException e) {
            err.println("cannot start: " + e.getMessage());
        }
        return Optional.empty();
    }

    /** Serves until the process is asked to stop, then drains and closes everything. */
    static int serveUntilShutdown(Application application) {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            LOG.info("Latchkey stopping: draining requests");
                            try {
                                application.close();
                            } finally {
                                stopped.countDown();
                            }
                        },
                        "latchkey-shutdown"));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return ExitCodes.OK;
    }

    private static Keyset keyset(LatchkeyConfig config, PrintWriter err) throws InvalidKeysetException, IOException {
        KeysetSource source = config.keys().keyset();
        if (source instanceof KeysetSource.FromFile file
                && config.development().generateKeyset()
                && !Files.exists(file.path())) {
            Keyset generated = Keyset.generate();
            KeysetFiles.write(file.path(), generated, false);
            err.println();
            err.println("**************************************************************************");
            err.println("* WARNING: generated a DEVELOPMENT keyset at " + file.path());
            err.println("* It encrypts stored tokens and sits in plain text next to the data.");
            err.println("* Never use development.generateKeyset in production: generate a keyset");
            err.println("* with 'latchkey keys generate', keep it in a secret store, back it up.");
            err.println("**************************************************************************");
            err.println();
            return generated;
        }
        return KeysetFiles.load(source);
    }
}
