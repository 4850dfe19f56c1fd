package dev.latchkey.core.crypto;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.Configuration;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeyStatus;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.TinkJsonProtoKeysetFormat;
import com.google.crypto.tink.aead.AeadConfig2026;
import com.google.crypto.tink.aead.AeadParameters;
import com.google.crypto.tink.aead.PredefinedAeadParameters;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;

/**
 * A Tink AEAD keyset (AES-256-GCM keys): parsed, generated, rotated and described. Immutable: each
 * change returns a new keyset. Only {@link #toJson()} ever reveals key material, for writing the
 * keyset file; {@link #describe()} lists ids and status only.
 */
public final class Keyset {
    // Tink's explicit 2026 AEAD configuration: no global registry, only current AEAD primitives.
    private static final Configuration AEAD = aeadConfiguration();

    private final KeysetHandle handle;

    private Keyset(KeysetHandle handle) {
        this.handle = handle;
    }

    /** A new keyset with one AES-256-GCM key. */
    public static Keyset generate() {
        try {
            return new Keyset(KeysetHandle.generateNew(PredefinedAeadParameters.AES256_GCM, AEAD));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot generate an AES-256-GCM key", e);
        }
    }

    /**
     * Parses a keyset in Tink's JSON format.
     *
     * @throws InvalidKeysetException with a message that names the problem but no key material
     */
    public static Keyset fromJson(String json) throws InvalidKeysetException {
        KeysetHandle handle;
        try {
            handle = TinkJsonProtoKeysetFormat.parseKeyset(json, AEAD, InsecureSecretKeyAccess.get());
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new InvalidKeysetException(
                    "not a Tink JSON keyset (" + e.getClass().getSimpleName() + ")");
        }
        for (int i = 0; i < handle.size(); i++) {
            if (!(handle.getAt(i).getKey().getParameters() instanceof AeadParameters)) {
                throw new InvalidKeysetException(
                        "key " + Integer.toUnsignedString(handle.getAt(i).getId()) + " is not an AEAD key");
            }
        }
        Keyset keyset = new Keyset(handle);
        keyset.aead();
        return keyset;
    }

    /** Tink's JSON form, including the secret key material: write it only to the keyset file. */
    public String toJson() {
        try {
            return TinkJsonProtoKeysetFormat.serializeKeyset(handle, AEAD, InsecureSecretKeyAccess.get());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot serialize keyset", e);
        }
    }

    /**
     * A keyset with one more AES-256-GCM key that becomes the primary. The old keys stay enabled,
     * so everything sealed under them remains readable until it is resealed.
     */
    public Keyset rotate() {
        try {
            KeysetHandle.Builder builder = KeysetHandle.newBuilder(handle).setConfiguration(AEAD);
            builder.addEntry(KeysetHandle.generateEntryFromParameters(PredefinedAeadParameters.AES256_GCM)
                    .withRandomId()
                    .makePrimary());
            return new Keyset(builder.build());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot rotate keyset", e);
        }
    }

    /**
     * A keyset in which key {@code keyId} is disabled: ciphertexts sealed under it no longer open.
     *
     * @throws InvalidKeysetException if the key does not exist or is the primary
     */
    public Keyset disable(long keyId) throws InvalidKeysetException {
        KeysetHandle.Builder builder = KeysetHandle.newBuilder(handle).setConfiguration(AEAD);
        for (int i = 0; i < builder.size(); i++) {
            if (Integer.toUnsignedLong(handle.getAt(i).getId()) == keyId) {
                if (builder.getAt(i).isPrimary()) {
                    throw new InvalidKeysetException(
                            "key " + keyId + " is the primary; rotate first, reseal, then disable it");
                }
                builder.getAt(i).setStatus(KeyStatus.DISABLED);
                try {
                    return new Keyset(builder.build());
                } catch (GeneralSecurityException e) {
                    throw new IllegalStateException("cannot rebuild keyset", e);
                }
            }
        }
        throw new InvalidKeysetException("no key with id " + keyId + " in the keyset");
    }

    /** The id of the primary key, under which everything new is sealed. */
    public long primaryKeyId() {
        return Integer.toUnsignedLong(handle.getPrimary().getId());
    }

    /** Ids, status and role of every key. Never key material. */
    public List<KeyInfo> describe() {
        List<KeyInfo> keys = new ArrayList<>();
        for (int i = 0; i < handle.size(); i++) {
            KeysetHandle.Entry entry = handle.getAt(i);
            keys.add(new KeyInfo(
                    Integer.toUnsignedLong(entry.getId()),
                    entry.getStatus().toString(),
                    entry.isPrimary(),
                    entry.getKey().getParameters().toString()));
        }
        return List.copyOf(keys);
    }

    Aead aead() throws InvalidKeysetException {
        try {
            return handle.getPrimitive(AEAD, Aead.class);
        } catch (GeneralSecurityException e) {
            throw new InvalidKeysetException("keyset has no usable primary AEAD key");
        }
    }

    private static Configuration aeadConfiguration() {
        return AeadConfig2026.get();
    }

    @Override
    public String toString() {
        return "Keyset[primary=" + primaryKeyId() + ", keys=" + handle.size() + "]";
    }

    /** What {@code latchkey keys list} shows of a key. */
    public record KeyInfo(long id, String status, boolean primary, String type) {}
}
