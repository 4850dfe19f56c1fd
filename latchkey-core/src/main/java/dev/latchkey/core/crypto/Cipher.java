package dev.latchkey.core.crypto;

import dev.latchkey.core.grant.Ciphertext;

/**
 * Authenticated encryption at rest. Implementations are thread-safe. A ciphertext opens only with
 * the associated data it was sealed with, and only while its key is enabled in the keyset.
 */
public interface Cipher {

    Ciphertext seal(byte[] plaintext, AssociatedData context);

    /**
     * Decrypts and authenticates.
     *
     * @throws DecryptionFailedException if the ciphertext was altered, sealed for another context,
     *     or sealed under a key that is not enabled
     */
    byte[] open(Ciphertext ciphertext, AssociatedData context) throws DecryptionFailedException;

    /** Whether the ciphertext was sealed under the current primary key (else it should be resealed). */
    boolean isSealedWithPrimary(Ciphertext ciphertext);
}
