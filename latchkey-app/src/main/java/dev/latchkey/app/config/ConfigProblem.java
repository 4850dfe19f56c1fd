package dev.latchkey.app.config;

/**
 * One thing wrong with (or, as a warning, worth noting about) a configuration: the path of the key
 * it concerns, such as {@code tenants.acme.issuers[0].issuer}, and a message for a human. The path
 * is empty for problems with the document as a whole (malformed YAML, an unreadable file). Messages
 * never contain the value of a secret.
 */
public record ConfigProblem(String path, String message) {

    /** Rejects a blank message: a problem must say what is wrong. */
    public ConfigProblem {
        if (message.isBlank()) {
            throw new IllegalArgumentException("a configuration problem needs a message");
        }
    }

    /** {@code path: message}, or just the message for a problem with the whole document. */
    @Override
    public String toString() {
        return path.isEmpty() ? message : path + ": " + message;
    }
}
