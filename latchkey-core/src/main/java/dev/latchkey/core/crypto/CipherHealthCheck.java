package dev.latchkey.core.crypto;

import dev.latchkey.core.grant.Ciphertext;
import dev.latchkey.core.health.HealthCheck;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Readiness of the key material: seals and opens a probe with the {@link Cipher}, so a keyset whose
 * primary key cannot encrypt or decrypt makes the instance not ready.
 */
public final class CipherHealthCheck implements HealthCheck {
    private static final byte[] PROBE = "latchkey-readiness-probe".getBytes(StandardCharsets.UTF_8);
    private static final AssociatedData CONTEXT = AssociatedData.of("latchkey/readiness-probe/v1");

    private final Cipher cipher;

    public CipherHealthCheck(Cipher cipher) {
        this.cipher = cipher;
    }

    @Override
    public String name() {
        return "keys";
    }

    @Override
    public Status check() {
        try {
            Ciphertext sealed = cipher.seal(PROBE, CONTEXT);
            return Arrays.equals(cipher.open(sealed, CONTEXT), PROBE)
                    ? Status.up("primary key seals and opens")
                    : Status.down("primary key round trip returned other bytes");
        } catch (DecryptionFailedException | RuntimeException e) {
            return Status.down(
                    "primary key cannot seal and open (" + e.getClass().getSimpleName() + ")");
        }
    }
}
