package dev.latchkey.core.grant;

import java.util.Arrays;
import java.util.HexFormat;

/** Encrypted bytes as stored. Immutable: the bytes are copied in and out. */
public final class Ciphertext {
    private final byte[] bytes;

    private Ciphertext(byte[] bytes) {
        this.bytes = bytes;
    }

    public static Ciphertext of(byte[] bytes) {
        return new Ciphertext(bytes.clone());
    }

    public byte[] bytes() {
        return bytes.clone();
    }

    public int length() {
        return bytes.length;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Ciphertext that && Arrays.equals(bytes, that.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        int shown = Math.min(bytes.length, 5);
        return "Ciphertext[" + bytes.length + " bytes, prefix " + HexFormat.of().formatHex(bytes, 0, shown) + "]";
    }
}
