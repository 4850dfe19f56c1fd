package dev.latchkey.app.config;

import java.util.List;
import java.util.Optional;

/**
 * Token exchange for a resource: the user's inbound token is traded for one meant for the resource,
 * by On-Behalf-Of (Entra {@code jwt-bearer}) or RFC 8693, authenticating as the tenant's login
 * client.
 */
public record ExchangeConfig(Type type, List<String> scopes, Optional<String> audience) implements ResourceAccess {

    /** The exchange protocol. */
    public enum Type {
        /** Entra On-Behalf-Of: {@code jwt-bearer} grant with {@code requested_token_use=on_behalf_of}. */
        OBO,
        /** RFC 8693 token exchange. */
        RFC8693
    }

    /** Copies the scopes. */
    public ExchangeConfig {
        scopes = List.copyOf(scopes);
    }
}
