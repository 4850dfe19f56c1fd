package dev.latchkey.app;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import dev.latchkey.app.config.AuthorizationConfig;
import dev.latchkey.app.config.LatchkeyConfig;
import dev.latchkey.app.config.ResourceConfig;
import dev.latchkey.app.config.TenantConfig;
import dev.latchkey.core.downstream.ClientIdentity;
import dev.latchkey.core.downstream.ResourceCatalog;
import dev.latchkey.core.downstream.ResourceClient;
import dev.latchkey.core.grant.GrantKey;
import dev.latchkey.core.grant.NimbusTokenEndpoint;
import dev.latchkey.core.grant.ResourceName;
import dev.latchkey.core.resource.AuthorizationServer;
import dev.latchkey.core.resource.AuthorizationServerDiscovery;
import dev.latchkey.core.resource.DiscoveryException;
import dev.latchkey.core.resource.ProtectedResource;
import dev.latchkey.core.secret.Secret;
import dev.latchkey.core.tenant.TenantId;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link ResourceCatalog} of the configured resources: endpoints from the configuration
 * ({@code discovery: static}) or discovered (RFC 8414 / OIDC from the configured issuer, or RFC
 * 9728 from the resource itself, as MCP servers publish it). Without a configured {@code clientId},
 * Latchkey identifies itself by its Client ID Metadata Document where the server accepts one. A
 * resolution is kept for an hour; a
 * failed one for 15 s, so an unreachable authorization server is not asked on every request.
 * Concurrent lookups of one resource share one discovery. Keys include the tenant.
 */
final class ConfiguredResources implements ResourceCatalog {
    private static final Logger LOG = LoggerFactory.getLogger(ConfiguredResources.class);
    private static final Duration KEEP_RESOLVED = Duration.ofHours(1);
    private static final Duration KEEP_FAILED = Duration.ofSeconds(15);

    private final Map<TenantId, TenantConfig> tenants;
    private final AuthorizationServerDiscovery discovery;
    private final AuthorizationServerDiscovery guardedDiscovery;
    private final ClientIdentity identity;
    private final Cache<ResourceKey, Lookup> resolved;

    /**
     * @param discovery for what the configuration names (issuers, which may be internal)
     * @param guardedDiscovery for what a resource names (its metadata and authorization server),
     *     refusing private addresses
     */
    ConfiguredResources(
            LatchkeyConfig config,
            AuthorizationServerDiscovery discovery,
            AuthorizationServerDiscovery guardedDiscovery,
            ClientIdentity identity) {
        this.tenants = config.tenants();
        this.discovery = discovery;
        this.guardedDiscovery = guardedDiscovery;
        this.identity = identity;
        this.resolved = Caffeine.newBuilder()
                .maximumSize(10_000)
                .expireAfter(Expiry.creating((ResourceKey key, Lookup lookup) ->
                        lookup instanceof Lookup.Known ? KEEP_RESOLVED : KEEP_FAILED))
                .build();
    }

    @Override
    public Lookup find(TenantId tenant, ResourceName name) {
        @Nullable TenantConfig tenantConfig = tenants.get(tenant);
        Optional<ResourceConfig> resource = tenantConfig == null ? Optional.empty() : tenantConfig.resource(name);
        if (resource.isEmpty()) {
            return new Lookup.Unknown();
        }
        if (!(resource.get().access() instanceof AuthorizationConfig authorization)) {
            return new Lookup.NotConnectable();
        }
        ResourceKey key = new ResourceKey(tenant, name);
        return resolved.get(key, ignored -> resolve(tenant, resource.get(), authorization));
    }

    /** The token endpoint client of a grant's resource, for {@link NimbusTokenEndpoint}. */
    Function<GrantKey, Optional<NimbusTokenEndpoint.Client>> clients() {
        return key -> find(key.tenant(), key.resource()) instanceof Lookup.Known known
                ? Optional.of(known.resource().client())
                : Optional.empty();
    }

    private Lookup resolve(TenantId tenant, ResourceConfig resource, AuthorizationConfig config) {
        AuthorizationServer server;
        try {
            server = server(resource, config);
        } catch (DiscoveryException e) {
            LOG.atWarn()
                    .addKeyValue("tenant", tenant.value())
                    .addKeyValue("resource", resource.name().value())
                    .addKeyValue("reason", e.reason().code())
                    .log("authorization server discovery failed: {}", e.getMessage());
            return new Lookup.Unavailable(e.reason().code(), KEEP_FAILED);
        } catch (NotItsServer e) {
            LOG.atWarn()
                    .addKeyValue("tenant", tenant.value())
                    .addKeyValue("resource", resource.name().value())
                    .log("the resource's metadata does not name the configured issuer as its authorization server");
            return new Lookup.Unavailable("no_authorization_server", KEEP_FAILED);
        }
        // The MCP authorization spec: a client must confirm PKCE S256 support from the metadata
        // before it starts a flow (absent counts as unsupported). Static endpoints have no metadata.
        if (config.discovery() != AuthorizationConfig.Discovery.STATIC && !server.supportsPkceS256()) {
            LOG.atWarn()
                    .addKeyValue("tenant", tenant.value())
                    .addKeyValue("resource", resource.name().value())
                    .log("authorization server does not support PKCE S256; refusing to connect");
            return new Lookup.Unavailable("pkce_s256_unsupported", KEEP_FAILED);
        }
        @Nullable Secret secret = config.clientSecret().orElse(null);
        String clientId;
        if (config.clientId().isPresent()) {
            clientId = config.clientId().get();
        } else if (server.clientIdMetadataDocumentSupported()) {
            clientId = identity.clientId(tenant).toString();
        } else {
            LOG.atWarn()
                    .addKeyValue("tenant", tenant.value())
                    .addKeyValue("resource", resource.name().value())
                    .log("the authorization server does not accept Client ID Metadata Documents and no clientId is"
                            + " configured; register Latchkey there and configure clientId");
            return new Lookup.Unavailable("client_not_registered", KEEP_FAILED);
        }
        NimbusTokenEndpoint.Client client = new NimbusTokenEndpoint.Client(
                server.tokenEndpoint(),
                clientId,
                secret,
                authMethod(config, server, secret),
                resourceIndicator(resource, config),
                server.revocationEndpoint());
        return new Lookup.Known(new ResourceClient(
                resource.name(),
                resource.url(),
                config.discovery() == AuthorizationConfig.Discovery.STATIC
                        ? config.issuer().orElse(null)
                        : server.issuer(),
                server.authorizationResponseIssParameterSupported(),
                server.authorizationEndpoint(),
                client,
                Set.copyOf(config.scopes()),
                config.authorizationParameters(),
                config.refreshSkew()));
    }

    private AuthorizationServer server(ResourceConfig resource, AuthorizationConfig config)
            throws DiscoveryException, NotItsServer {
        return switch (config.discovery()) {
            case STATIC ->
                new AuthorizationServer(
                        config.issuer().orElse(config.authorizationEndpoint().orElseThrow()),
                        config.authorizationEndpoint().orElseThrow(),
                        config.tokenEndpoint().orElseThrow(),
                        config.revocationEndpoint().orElse(null),
                        null,
                        Set.of(),
                        Set.of(),
                        false,
                        false);
            case RFC8414, OIDC -> discovery.authorizationServer(config.issuer().orElseThrow());
            case RFC9728 -> {
                // The resource names its own metadata and authorization server: both may point
                // anywhere, so they are fetched only from public addresses (SSRF guard).
                ProtectedResource metadata = guardedDiscovery.protectedResource(resource.url());
                URI issuer =
                        config.issuer().orElse(metadata.authorizationServers().getFirst());
                if (!metadata.authorizationServers().contains(issuer)) {
                    throw new NotItsServer();
                }
                yield config.issuer().isPresent()
                        ? discovery.authorizationServer(issuer)
                        : guardedDiscovery.authorizationServer(issuer);
            }
        };
    }

    /** The configured method, else what the server supports of basic and post, else a public client. */
    private static NimbusTokenEndpoint.AuthMethod authMethod(
            AuthorizationConfig config, AuthorizationServer server, @Nullable Secret secret) {
        if (config.clientAuthMethod().isPresent()) {
            return NimbusTokenEndpoint.AuthMethod.valueOf(
                    config.clientAuthMethod().get().name());
        }
        if (secret == null) {
            return NimbusTokenEndpoint.AuthMethod.NONE;
        }
        return !server.supportsTokenEndpointAuthMethod("client_secret_basic")
                        && server.supportsTokenEndpointAuthMethod("client_secret_post")
                ? NimbusTokenEndpoint.AuthMethod.CLIENT_SECRET_POST
                : NimbusTokenEndpoint.AuthMethod.CLIENT_SECRET_BASIC;
    }

    /** RFC 8707: configured, else the resource's own URL for MCP-style (RFC 9728) resources. */
    private static @Nullable URI resourceIndicator(ResourceConfig resource, AuthorizationConfig config) {
        if (config.resourceIndicator().isPresent()) {
            return config.resourceIndicator().get();
        }
        return config.discovery() == AuthorizationConfig.Discovery.RFC9728 ? resource.url() : null;
    }

    /** The resource's RFC 9728 metadata does not name the configured issuer. */
    private static final class NotItsServer extends Exception {
        private static final long serialVersionUID = 1L;

        NotItsServer() {
            super("the resource does not name the configured issuer", null, false, false);
        }
    }

    /** A resolution is per tenant and resource (never shared between tenants). */
    private record ResourceKey(TenantId tenant, ResourceName name) {}
}
