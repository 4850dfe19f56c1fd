package dev.latchkey.core.crypto;

/**
 * A ciphertext failed authenticated decryption. The message never contains key material or
 * plaintext; it says only why in general terms.
 */
public final class DecryptionFailedException extends Exception {
    private static final long serialVersionUID = 1L;

    public DecryptionFailedException(String message) {
        super(message);
    }
}
