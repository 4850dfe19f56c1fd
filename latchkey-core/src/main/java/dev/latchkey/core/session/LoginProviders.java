package dev.latchkey.core.session;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.oauth2.sdk.GeneralException;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.Issuer;
import com.nimbusds.openid.connect.sdk.op.OIDCProviderMetadata;
import com.nimbusds.openid.connect.sdk.validators.IDTokenValidator;
import com.nimbusds.openid.connect.sdk.validators.LogoutTokenValidator;
import dev.latchkey.core.tenant.TenantId;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * The OpenID providers of the tenants' browser logins: metadata found by OIDC discovery (Nimbus
 * checks that the document's {@code issuer} is the configured one), kept an hour; a failed
 * discovery is retried on the next login. Keys come from the provider's {@code jwks_uri} through a
 * Nimbus {@link JWKSource} with caching, rate-limited refetch and outage tolerance. Only asymmetric
 * signatures are accepted on ID and logout tokens (no {@code none}, no HMAC with the client
 * secret). Thread-safe.
 */
public final class LoginProviders {
    private static final Set<JWSAlgorithm> ALGORITHMS = Set.of(
            JWSAlgorithm.RS256,
            JWSAlgorithm.RS384,
            JWSAlgorithm.RS512,
            JWSAlgorithm.PS256,
            JWSAlgorithm.PS384,
            JWSAlgorithm.PS512,
            JWSAlgorithm.ES256,
            JWSAlgorithm.ES384,
            JWSAlgorithm.ES512,
            JWSAlgorithm.EdDSA);
    private static final int TIMEOUT_MILLIS = 5000;

    private final Map<TenantId, LoginClient> clients;
    private final Cache<TenantId, Provider> discovered =
            Caffeine.newBuilder().expireAfterWrite(Duration.ofHours(1)).build();

    public LoginProviders(Map<TenantId, LoginClient> clients) {
        this.clients = Map.copyOf(clients);
    }

    /** Whether the tenant has a browser login. */
    public boolean configured(TenantId tenant) {
        return clients.containsKey(tenant);
    }

    /**
     * The tenant's provider, discovering it if needed.
     *
     * @throws IllegalStateException if the tenant has no login configured
     * @throws ProviderUnavailableException if discovery fails (network, or a document that is not the
     *     configured issuer's)
     */
    public Provider provider(TenantId tenant) throws ProviderUnavailableException {
        LoginClient client = clients.get(tenant);
        if (client == null) {
            throw new IllegalStateException("tenant " + tenant + " has no login");
        }
        Provider cached = discovered.getIfPresent(tenant);
        if (cached != null) {
            return cached;
        }
        try {
            OIDCProviderMetadata metadata =
                    OIDCProviderMetadata.resolve(new Issuer(client.issuer()), TIMEOUT_MILLIS, TIMEOUT_MILLIS);
            JWKSource<SecurityContext> keys = JWKSourceBuilder.create(
                            metadata.getJWKSetURI().toURL())
                    .retrying(true)
                    .build();
            Provider provider = new Provider(client, metadata, keys);
            discovered.put(tenant, provider);
            return provider;
        } catch (GeneralException | IOException | IllegalArgumentException e) {
            throw new ProviderUnavailableException("the login provider's metadata cannot be read", e);
        }
    }

    /** A discovered provider and the client Latchkey is there. */
    public record Provider(LoginClient client, OIDCProviderMetadata metadata, JWKSource<SecurityContext> keys) {

        /** A validator of this provider's ID tokens for Latchkey's client (signature, iss, aud, azp, exp, nonce). */
        public IDTokenValidator idTokenValidator() {
            IDTokenValidator validator = new IDTokenValidator(
                    metadata.getIssuer(),
                    new ClientID(client.clientId()),
                    new JWSVerificationKeySelector<>(ALGORITHMS, keys),
                    null);
            validator.setMaxClockSkew(60);
            return validator;
        }

        /** A validator of this provider's back-channel logout tokens (OIDC Back-Channel Logout §2.6). */
        public LogoutTokenValidator logoutTokenValidator() {
            LogoutTokenValidator validator = new LogoutTokenValidator(
                    metadata.getIssuer(),
                    new ClientID(client.clientId()),
                    false,
                    new JWSVerificationKeySelector<>(ALGORITHMS, keys),
                    null);
            validator.setMaxClockSkew(60);
            return validator;
        }
    }

    /** The provider cannot be discovered now; the message names no secret. */
    public static final class ProviderUnavailableException extends Exception {
        private static final long serialVersionUID = 1L;

        ProviderUnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
