package dev.latchkey.core.crypto;

import dev.latchkey.core.grant.GrantKey;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The context a ciphertext is bound to (AEAD associated data, RFC 5116 §2.1). Decryption under any
 * other context fails, so a row copied to another tenant, user or resource cannot be read. Each
 * part is length-prefixed, so no two different contexts encode to the same bytes.
 */
public final class AssociatedData {
    private static final String TOKEN_SET_PURPOSE = "latchkey/token-set/v1";

    private final byte[] bytes;

    private AssociatedData(byte[] bytes) {
        this.bytes = bytes;
    }

    /** The context of a grant's token set: purpose, tenant, user and resource. */
    public static AssociatedData forGrant(GrantKey key) {
        return of(
                TOKEN_SET_PURPOSE,
                key.tenant().value(),
                key.user().value(),
                key.resource().value());
    }

    /** A context made of several parts, e.g. a purpose and the identifiers the secret belongs to. */
    public static AssociatedData of(String... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String part : parts) {
            byte[] utf8 = part.getBytes(StandardCharsets.UTF_8);
            out.write(utf8.length >>> 24);
            out.write(utf8.length >>> 16);
            out.write(utf8.length >>> 8);
            out.write(utf8.length);
            out.writeBytes(utf8);
        }
        return new AssociatedData(out.toByteArray());
    }

    public byte[] bytes() {
        return bytes.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof AssociatedData that && Arrays.equals(bytes, that.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return "AssociatedData[" + bytes.length + " bytes]";
    }
}
