package dev.latchkey.core.grant;

import java.util.Optional;

/** The outcome of a compare-and-set write of a sealed grant. */
public sealed interface SealedWrite {

    /** The row now holds the written ciphertext at {@code version}. */
    record Written(long version) implements SealedWrite {}

    /** The expected version was not current; {@code current} is what is stored (empty: no row). */
    record Conflict(Optional<SealedGrant> current) implements SealedWrite {}
}
