package dev.latchkey.core.grant;

/**
 * A token set as stored, with the version its row had when it was read. Every write of a token
 * set increments the version; a compare-and-set write names the version it expects to replace.
 */
public record VersionedTokenSet(GrantKey key, long version, TokenSet tokens) {
    public VersionedTokenSet {
        if (version < 1) {
            throw new IllegalArgumentException("a stored token set has version 1 or higher");
        }
    }
}
