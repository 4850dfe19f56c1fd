package dev.latchkey.app.cli;

/** Process exit codes of the {@code latchkey} command. */
final class ExitCodes {
    /** Success. */
    static final int OK = 0;

    /** The command ran and found a problem: invalid configuration, unusable keyset, failed start. */
    static final int PROBLEM = 1;

    /** The command line itself was wrong (picocli's usage error code). */
    static final int USAGE = 2;

    private ExitCodes() {}
}
