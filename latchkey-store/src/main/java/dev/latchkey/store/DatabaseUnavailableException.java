package dev.latchkey.store;

/**
 * The database could not be reached or prepared when it was opened. The message names the JDBC
 * URL without any password and says what failed; it never carries credentials.
 */
public final class DatabaseUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public DatabaseUnavailableException(String message) {
        super(message);
    }
}
