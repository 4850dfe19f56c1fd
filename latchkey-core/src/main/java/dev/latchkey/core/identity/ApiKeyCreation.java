package dev.latchkey.core.identity;

import dev.latchkey.core.secret.Secret;

/** The outcome of creating an API key. */
public sealed interface ApiKeyCreation {

    /**
     * The key was stored. {@code plaintext} is the only copy of the full key there will ever be:
     * show it to its owner once; it prints as a fingerprint.
     */
    record Created(ApiKey key, Secret plaintext) implements ApiKeyCreation {}

    /**
     * The key was not created.
     *
     * @param error a fixed code: {@code api_keys_disabled} (403), {@code unknown_user}, {@code
     *     scope_not_allowed} or {@code invalid_expiry} (400)
     */
    record Refused(String error) implements ApiKeyCreation {}
}
