package dev.latchkey.core.grant;

/**
 * The outcome of a compare-and-set write of a token set. A writer that lost the race gets what the
 * winner stored, and must use it instead of its own answer.
 */
public sealed interface StoreResult {

    /** The write succeeded; {@code stored} carries the new version. */
    record Stored(VersionedTokenSet stored) implements StoreResult {}

    /** Somebody wrote (or deleted) since the expected version was read; nothing was written. */
    record LostRace(GrantLookup current) implements StoreResult {}
}
