package dev.latchkey.app;

import dev.latchkey.app.config.LatchkeyConfig;
import dev.latchkey.app.config.TenantConfig;
import dev.latchkey.core.crypto.Cipher;
import dev.latchkey.core.downstream.Connections;
import dev.latchkey.core.downstream.TokenManager;
import dev.latchkey.core.grant.NimbusTokenEndpoint;
import dev.latchkey.core.grant.RefreshCoordinator;
import dev.latchkey.core.grant.RetryingTokenEndpoint;
import dev.latchkey.core.resource.AuthorizationServerDiscovery;
import dev.latchkey.core.resource.UrlPolicy;
import dev.latchkey.core.tenant.TenantId;
import dev.latchkey.store.JdbcConnectFlowStore;
import dev.latchkey.store.JdbcGrantLease;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The downstream token manager wired to storage and the network: the configured resources, the
 * connect flows, the refresh coordinator (lease in the database, so replicas sharing it refresh
 * each grant once), and a housekeeping task that purges expired connect flows every minute.
 */
final class Downstream implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Downstream.class);
    private static final Duration DISCOVERY_TIMEOUT = Duration.ofSeconds(5);
    private static final String CALLBACK_PATH = "/v1/connections/callback";

    private final Connections connections;
    private final TokenManager tokens;
    private final ScheduledExecutorService housekeeping;

    private Downstream(Connections connections, TokenManager tokens, ScheduledExecutorService housekeeping) {
        this.connections = connections;
        this.tokens = tokens;
        this.housekeeping = housekeeping;
    }

    static Downstream wire(LatchkeyConfig config, Storage storage, Cipher cipher, MeterRegistry metrics, Clock clock) {
        UrlPolicy urls = new UrlPolicy(config.development().allowInsecureHttp(), false);
        ConfiguredResources resources =
                new ConfiguredResources(config, new AuthorizationServerDiscovery(urls, DISCOVERY_TIMEOUT));
        NimbusTokenEndpoint endpoint = new NimbusTokenEndpoint(resources.clients(), clock);
        RefreshCoordinator coordinator = new RefreshCoordinator(
                storage.tokens(),
                new JdbcGrantLease(storage.database().dataSource()),
                new RetryingTokenEndpoint(endpoint),
                clock,
                leaseOwner(),
                RefreshCoordinator.Settings.defaults(),
                new RefreshEvents(metrics, storage.audit(), clock));
        JdbcConnectFlowStore flows = new JdbcConnectFlowStore(storage.database().dataSource());
        Connections connections = new Connections(
                resources,
                flows,
                storage.tokens(),
                endpoint,
                cipher,
                storage.audit(),
                clock,
                callbackUri(config.server().publicUrl()),
                (tenant, returnTo) -> mayReturnTo(config, tenant, returnTo));
        ScheduledExecutorService housekeeping = Executors.newSingleThreadScheduledExecutor(
                Thread.ofVirtual().name("latchkey-housekeeping").factory());
        var unused = housekeeping.scheduleWithFixedDelay(
                () -> {
                    try {
                        flows.purgeExpired(clock.instant());
                    } catch (RuntimeException e) {
                        LOG.atWarn().log("purging expired connect flows failed: {}", e.getMessage());
                    }
                },
                1,
                1,
                TimeUnit.MINUTES);
        return new Downstream(
                connections, new TokenManager(resources, coordinator, connections, storage.tokens()), housekeeping);
    }

    Connections connections() {
        return connections;
    }

    TokenManager tokens() {
        return tokens;
    }

    @Override
    public void close() {
        housekeeping.shutdownNow();
    }

    static URI callbackUri(URI publicUrl) {
        String base = publicUrl.toString();
        return URI.create((base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + CALLBACK_PATH);
    }

    /** After connecting, users may be sent back only to Latchkey itself or the tenant's CORS origins. */
    static boolean mayReturnTo(LatchkeyConfig config, TenantId tenant, URI returnTo) {
        String origin = origin(returnTo);
        if (origin == null) {
            return false;
        }
        if (origin.equals(origin(config.server().publicUrl()))) {
            return true;
        }
        @Nullable TenantConfig tenantConfig = config.tenants().get(tenant);
        return tenantConfig != null
                && tenantConfig.cors().allowedOrigins().stream()
                        .anyMatch(allowed -> origin.equals(allowed.toLowerCase(Locale.ROOT)));
    }

    private static @Nullable String origin(URI uri) {
        if (uri.getScheme() == null || uri.getHost() == null) {
            return null;
        }
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http")) {
            return null;
        }
        return scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT)
                + (uri.getPort() == -1 ? "" : ":" + uri.getPort());
    }

    /** Unique per process: the pid, the host and a random suffix (pids repeat across restarts). */
    private static String leaseOwner() {
        byte[] random = new byte[6];
        new SecureRandom().nextBytes(random);
        String host = System.getenv().getOrDefault("HOSTNAME", "localhost");
        String owner = ProcessHandle.current().pid() + "@" + host + "/"
                + HexFormat.of().formatHex(random);
        return owner.length() > 255 ? owner.substring(0, 255) : owner;
    }
}
