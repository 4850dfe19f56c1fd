package dev.latchkey.core.identity;

/** The outcome of authenticating with an API key. */
public sealed interface ApiKeyAuthentication {

    /** The key is valid: the request acts as this principal. */
    record Authenticated(Principal principal) implements ApiKeyAuthentication {}

    /** The key does not authenticate. */
    record Refused(Reason reason) implements ApiKeyAuthentication {}

    /**
     * Why a key was refused. A key of another tenant is {@link #UNKNOWN}: keys are looked up only
     * within the tenant of the request, so the refusal reveals nothing about other tenants; so is a
     * known id with a wrong secret. Revocation and expiry are told only to a holder of the right
     * secret.
     */
    enum Reason {
        /** Not of the form {@code lk_<id>_<secret>}; nothing was looked up. */
        MALFORMED("invalid_api_key"),
        /** No key with that id and secret in this tenant. */
        UNKNOWN("invalid_api_key"),
        REVOKED("api_key_revoked"),
        EXPIRED("api_key_expired"),
        /** The key's owner no longer exists (user deleted, service removed from configuration). */
        UNKNOWN_OWNER("invalid_api_key"),
        /** The tenant does not accept API keys (or is unknown); nothing was looked up. */
        DISABLED("api_keys_disabled");

        private final String code;

        Reason(String code) {
            this.code = code;
        }

        /** The error code callers answer with. */
        public String code() {
            return code;
        }
    }
}
