package dev.latchkey.core.identity;

/**
 * Looks up a user's groups where the token could not carry them: Entra ID replaces the {@code
 * groups} claim with {@code _claim_names}/{@code _claim_sources} when a user is in too many groups
 * (the groups overage). Implementations call only a configured endpoint, never the one the token
 * names, are thread-safe, and never throw: failures are a {@link GroupLookup.Failed}.
 */
public interface GroupDirectory {

    GroupLookup groupsOf(TokenIdentity identity);
}
