package dev.latchkey.app;

import dev.latchkey.app.config.ApiKeysConfig;
import dev.latchkey.app.config.LatchkeyConfig;
import dev.latchkey.core.crypto.CipherHealthCheck;
import dev.latchkey.core.crypto.InvalidKeysetException;
import dev.latchkey.core.crypto.Keyset;
import dev.latchkey.core.crypto.TinkCipher;
import dev.latchkey.core.identity.ApiKeys;
import dev.latchkey.core.identity.CachingUserDirectory;
import dev.latchkey.core.identity.IdentityPolicies;
import dev.latchkey.core.identity.IdentityResolver;
import dev.latchkey.core.identity.UserDirectory;
import dev.latchkey.core.inbound.ApiKeyBruteForceGuard;
import dev.latchkey.core.inbound.AttemptLimiter;
import dev.latchkey.core.inbound.Authenticator;
import dev.latchkey.core.inbound.BearerValidator;
import dev.latchkey.core.inbound.CredentialAuthenticator;
import dev.latchkey.core.inbound.FixedWindowAttemptLimiter;
import dev.latchkey.core.inbound.IssuerPolicy;
import dev.latchkey.core.secret.DeploymentSecrets;
import dev.latchkey.core.signing.SigningKeys;
import dev.latchkey.core.tenant.TenantId;
import dev.latchkey.server.ApiCors;
import dev.latchkey.server.ApiKeyRoutes;
import dev.latchkey.server.AuthRoutes;
import dev.latchkey.server.ClientMetadataRoutes;
import dev.latchkey.server.ConnectionRoutes;
import dev.latchkey.server.JwksRoutes;
import dev.latchkey.server.LatchkeyServer;
import dev.latchkey.server.LoginRoutes;
import dev.latchkey.server.SessionRoutes;
import dev.latchkey.server.TokenRoutes;
import dev.latchkey.store.JdbcApiKeyStore;
import dev.latchkey.store.JdbcUserDirectory;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running Latchkey: every adapter wired to the core from one validated configuration. The
 * only place where modules meet. {@link #close()} drains HTTP first (readiness turns false), then
 * closes the storage.
 */
public final class Application implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Application.class);
    private static final Duration API_KEY_FAILURE_WINDOW = Duration.ofMinutes(1);
    // About 100 bytes each: bounded at a few MB however many addresses an attacker uses.
    private static final long MAX_TRACKED_CLIENTS = 50_000;

    private final Storage storage;
    private final Downstream downstream;
    private final Sessions sessions;
    private final LatchkeyServer server;
    private final int port;

    private Application(Storage storage, Downstream downstream, Sessions sessions, LatchkeyServer server, int port) {
        this.storage = storage;
        this.downstream = downstream;
        this.sessions = sessions;
        this.server = server;
        this.port = port;
    }

    /**
     * Opens the database (running migrations), checks the keyset and starts serving HTTP.
     *
     * @throws InvalidKeysetException if the keyset has no usable primary key
     * @throws dev.latchkey.store.DatabaseUnavailableException if the database cannot be reached or
     *     migrated; its message names the database (without password) and the cause
     * @throws dev.latchkey.core.secret.DeploymentSecretUnreadableException if the stored API key
     *     pepper does not open with this keyset (it is never replaced silently)
     */
    public static Application start(LatchkeyConfig config, Keyset keyset, Clock clock) throws InvalidKeysetException {
        TinkCipher cipher = TinkCipher.of(keyset);
        PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Storage storage = Storage.open(config.database(), cipher, metrics, clock);
        try {
            // Bindings are write-once: keeping found ones for 30 s spares a database read per request.
            UserDirectory users = new CachingUserDirectory(
                    new JdbcUserDirectory(storage.database().dataSource()), Duration.ofSeconds(30), 100_000);
            IdentityPolicies identityPolicies = IdentityPolicies.of(InboundPolicies.identities(config, clock));
            ApiKeys apiKeys = apiKeys(storage, users, identityPolicies, clock);
            IdentityResolver identities = new IdentityResolver(users, identityPolicies, storage.audit(), clock);
            SigningKeys signingKeys = SigningKeys.load(storage.secrets());
            Sessions sessions = Sessions.wire(config, storage, signingKeys, cipher, users, identities, clock);
            Authenticator authenticator = sessions.authenticator(
                    authenticator(config, storage, identities, apiKeys, metrics, clock), identities);
            Downstream downstream = Downstream.wire(config, storage, cipher, metrics, clock);
            LatchkeyServer server = LatchkeyServer.builder()
                    .host(config.server().host())
                    .port(config.server().port())
                    .drainTimeout(config.server().drainTimeout())
                    .trustForwardedFor(config.server().trustForwardedFor())
                    .secureCookies(
                            "https".equalsIgnoreCase(config.server().publicUrl().getScheme()))
                    .clock(clock)
                    .meterRegistry(metrics)
                    .healthChecks(List.of(storage.database().healthCheck(), new CipherHealthCheck(cipher)))
                    .routes(new AuthRoutes(authenticator, metrics))
                    .routes(new ApiKeyRoutes(authenticator, apiKeys, metrics))
                    .routes(new ConnectionRoutes(authenticator, identities, downstream.connections(), metrics))
                    .routes(new TokenRoutes(authenticator, identities, downstream.tokens(), metrics))
                    .routes(new JwksRoutes(signingKeys))
                    .routes(new SessionRoutes(sessions.crossOrigin(), sessions.cors()))
                    .routes(new ApiCors(sessions.cors()::allowsAnyTenant))
                    .routes(new LoginRoutes(
                            sessions.logins(),
                            config.server().publicUrl(),
                            sessions.cors()::allows,
                            config.sessions().browserAbsolute()))
                    .routes(new ClientMetadataRoutes(
                            downstream.clientIdentity(), config.tenants().keySet()))
                    .build();
            int port = server.start();
            LOG.atInfo()
                    .addKeyValue("port", port)
                    .addKeyValue("database", storage.database().displayUrl())
                    .addKeyValue("tenants", config.tenants().size())
                    .addKeyValue("primary_key_id", keyset.primaryKeyId())
                    .log("Latchkey started");
            return new Application(storage, downstream, sessions, server, port);
        } catch (RuntimeException e) {
            storage.close();
            throw e;
        }
    }

    /**
     * API keys in the database, hashed under the deployment's pepper: generated at the first start,
     * sealed in the database, the same for every replica.
     */
    private static ApiKeys apiKeys(
            Storage storage, UserDirectory users, IdentityPolicies identityPolicies, Clock clock) {
        return new ApiKeys(
                new JdbcApiKeyStore(storage.database().dataSource()),
                users,
                identityPolicies,
                storage.secrets().getOrCreate(DeploymentSecrets.API_KEY_PEPPER),
                storage.audit(),
                clock);
    }

    /**
     * Bearer validation per tenant, identity resolution over the database, and API keys behind the
     * guard against key guessing (C2-10).
     */
    private static Authenticator authenticator(
            LatchkeyConfig config,
            Storage storage,
            IdentityResolver identities,
            ApiKeys apiKeys,
            MeterRegistry metrics,
            Clock clock) {
        Map<TenantId, List<IssuerPolicy>> issuers = InboundPolicies.issuers(config);
        ValidationMetrics validationMetrics = new ValidationMetrics(
                metrics,
                issuers.keySet(),
                issuers.values().stream()
                        .flatMap(List::stream)
                        .map(IssuerPolicy::issuer)
                        .collect(Collectors.toSet()));
        BearerValidator validator = new BearerValidator(issuers, clock, validationMetrics);
        CredentialAuthenticator credentials = new CredentialAuthenticator(validator, identities, apiKeys);
        Map<TenantId, Integer> failureLimits = InboundPolicies.apiKeyFailureLimits(config);
        AttemptLimiter limiter = new FixedWindowAttemptLimiter(
                tenant -> failureLimits.getOrDefault(tenant, ApiKeysConfig.DEFAULT_MAX_FAILURES_PER_MINUTE),
                API_KEY_FAILURE_WINDOW,
                MAX_TRACKED_CLIENTS,
                clock);
        // The tenant label is bounded: only configured tenants with API keys on can be throttled.
        return new ApiKeyBruteForceGuard(
                credentials,
                limiter,
                storage.audit(),
                clock,
                tenant -> metrics.counter("latchkey.api_keys.bruteforce", "tenant", tenant.value())
                        .increment());
    }

    /** The port HTTP is served on (the configured one, or the one chosen for port 0). */
    public int port() {
        return port;
    }

    /** Latchkey's own sessions (for tests in this package). */
    Sessions sessions() {
        return sessions;
    }

    /** The token store and the database behind it. */
    public Storage storage() {
        return storage;
    }

    @Override
    public void close() {
        try {
            server.stop();
        } finally {
            downstream.close();
            sessions.close();
            storage.close();
        }
    }
}
