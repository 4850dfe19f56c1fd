package dev.latchkey.app.config;

import java.util.List;

/**
 * A trusted backend of a tenant (a chat server, an agent runtime) that may act for the tenant's
 * users: its id, the OAuth client id its credentials carry and the Latchkey scopes it holds.
 */
public record ServiceConfig(String id, String clientId, List<String> scopes) {

    /** Copies the scopes. */
    public ServiceConfig {
        scopes = List.copyOf(scopes);
    }
}
