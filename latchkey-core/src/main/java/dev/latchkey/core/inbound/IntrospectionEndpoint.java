package dev.latchkey.core.inbound;

import dev.latchkey.core.secret.Secret;
import java.net.URI;

/**
 * Where and as whom opaque tokens of one issuer are introspected (RFC 7662 §2): the endpoint and the
 * client credentials Latchkey presents with {@code client_secret_basic} (RFC 6749 §2.3.1). Whether
 * the endpoint's scheme is acceptable is decided by the {@link IssuerPolicy} that holds it, which
 * knows whether loopback {@code http} is allowed.
 *
 * @param endpoint the introspection endpoint
 * @param clientId the client identifier of Latchkey at the issuer
 * @param clientSecret its secret; printed only as a fingerprint
 */
public record IntrospectionEndpoint(URI endpoint, String clientId, Secret clientSecret) {

    /**
     * Validates the client id.
     *
     * @throws IllegalArgumentException if the client id is blank
     */
    public IntrospectionEndpoint {
        if (clientId.isBlank()) {
            throw new IllegalArgumentException("introspection clientId must not be blank");
        }
    }
}
