package dev.latchkey.core.grant;

/**
 * What reading a grant found. {@link Unreadable} is a row that exists but cannot be decrypted
 * (copied from another user, corrupted, or sealed under a key no longer in the keyset): callers
 * treat it like a missing grant, but a write must name its version to replace it.
 */
public sealed interface GrantLookup {

    /** The version a compare-and-set write must expect to replace what was found (0 = no row). */
    long version();

    /** No row exists for the key. */
    record Missing(GrantKey key) implements GrantLookup {
        @Override
        public long version() {
            return 0;
        }
    }

    /** A readable token set. */
    record Found(VersionedTokenSet grant) implements GrantLookup {
        @Override
        public long version() {
            return grant.version();
        }
    }

    /** A row whose ciphertext failed authenticated decryption for this key. */
    record Unreadable(GrantKey key, long version) implements GrantLookup {}
}
