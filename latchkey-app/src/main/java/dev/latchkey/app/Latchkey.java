package dev.latchkey.app;

import dev.latchkey.app.cli.LatchkeyCommand;

/** The {@code latchkey} executable. */
public final class Latchkey {
    private Latchkey() {}

    public static void main(String[] args) {
        // Serving commands return only once the process is shutting down.
        System.exit(LatchkeyCommand.run(args));
    }
}
