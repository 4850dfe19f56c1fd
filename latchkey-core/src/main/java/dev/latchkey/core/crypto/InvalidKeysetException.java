package dev.latchkey.core.crypto;

/** A keyset that cannot be used, with a message that names the problem and no key material. */
public final class InvalidKeysetException extends Exception {
    private static final long serialVersionUID = 1L;

    public InvalidKeysetException(String message) {
        super(message);
    }
}
