package dev.latchkey.core.crypto;

import com.google.crypto.tink.Aead;
import dev.latchkey.core.grant.Ciphertext;
import java.security.GeneralSecurityException;

/**
 * {@link Cipher} over a Tink AEAD keyset. Ciphertexts carry Tink's 5-byte prefix (version byte and
 * key id), which tells under which key a row was sealed and so whether it needs resealing after a
 * rotation.
 */
public final class TinkCipher implements Cipher {
    private static final int TINK_PREFIX = 5;
    private static final byte TINK_VERSION = 1;

    private final Aead aead;
    private final long primaryKeyId;

    private TinkCipher(Aead aead, long primaryKeyId) {
        this.aead = aead;
        this.primaryKeyId = primaryKeyId;
    }

    /**
     * A cipher over the keyset's enabled keys, sealing under its primary.
     *
     * @throws InvalidKeysetException if the keyset has no usable primary AEAD key
     */
    public static TinkCipher of(Keyset keyset) throws InvalidKeysetException {
        return new TinkCipher(keyset.aead(), keyset.primaryKeyId());
    }

    @Override
    public Ciphertext seal(byte[] plaintext, AssociatedData context) {
        try {
            return Ciphertext.of(aead.encrypt(plaintext, context.bytes()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AEAD encryption failed", e);
        }
    }

    @Override
    public byte[] open(Ciphertext ciphertext, AssociatedData context) throws DecryptionFailedException {
        try {
            return aead.decrypt(ciphertext.bytes(), context.bytes());
        } catch (GeneralSecurityException e) {
            // Tink does not say whether the key is unknown or the tag is wrong; neither do we.
            throw new DecryptionFailedException(
                    "ciphertext does not authenticate for this context under any enabled key");
        }
    }

    @Override
    public boolean isSealedWithPrimary(Ciphertext ciphertext) {
        byte[] bytes = ciphertext.bytes();
        if (bytes.length < TINK_PREFIX || bytes[0] != TINK_VERSION) {
            return false;
        }
        long keyId = ((bytes[1] & 0xFFL) << 24)
                | ((bytes[2] & 0xFFL) << 16)
                | ((bytes[3] & 0xFFL) << 8)
                | (bytes[4] & 0xFFL);
        return keyId == primaryKeyId;
    }
}
