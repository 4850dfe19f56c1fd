package dev.latchkey.app;

import dev.latchkey.app.config.LatchkeyConfig;
import dev.latchkey.app.config.RefreshConfig;
import dev.latchkey.app.config.TenantConfig;
import dev.latchkey.core.crypto.Cipher;
import dev.latchkey.core.downstream.ClientIdentity;
import dev.latchkey.core.downstream.Connections;
import dev.latchkey.core.downstream.TokenManager;
import dev.latchkey.core.grant.BackgroundGrantUsage;
import dev.latchkey.core.grant.GrantKey;
import dev.latchkey.core.grant.GrantUsage;
import dev.latchkey.core.grant.NimbusTokenEndpoint;
import dev.latchkey.core.grant.ProactiveRefresher;
import dev.latchkey.core.grant.RefreshCoordinator;
import dev.latchkey.core.grant.RetryingTokenEndpoint;
import dev.latchkey.core.grant.ThrottledGrantUsage;
import dev.latchkey.core.resource.AuthorizationServerDiscovery;
import dev.latchkey.core.resource.UrlPolicy;
import dev.latchkey.core.resource.WebOrigin;
import dev.latchkey.core.tenant.TenantId;
import dev.latchkey.store.JdbcConnectFlowStore;
import dev.latchkey.store.JdbcGrantLease;
import dev.latchkey.store.JdbcGrantUsage;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The downstream token manager wired to storage and the network: the configured resources, the
 * connect flows, the refresh coordinator (lease in the database, so replicas sharing it refresh
 * each grant once), and housekeeping tasks: one purges expired connect flows every minute, the
 * other (with {@code refresh.proactive}) refreshes recently used grants before they expire.
 */
final class Downstream implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Downstream.class);
    private static final Duration DISCOVERY_TIMEOUT = Duration.ofSeconds(5);
    private static final String CALLBACK_PATH = "/v1/connections/callback";
    private static final Duration USE_WRITE_INTERVAL = Duration.ofMinutes(1);
    private static final long MAX_THROTTLED_GRANTS = 100_000;
    private static final int USE_WRITE_QUEUE = 10_000;

    private final Connections connections;
    private final TokenManager tokens;
    private final ClientIdentity identity;
    private final ScheduledExecutorService housekeeping;
    private final ExecutorService useWriter;

    private Downstream(
            Connections connections,
            TokenManager tokens,
            ClientIdentity identity,
            ScheduledExecutorService housekeeping,
            ExecutorService useWriter) {
        this.connections = connections;
        this.tokens = tokens;
        this.identity = identity;
        this.housekeeping = housekeeping;
        this.useWriter = useWriter;
    }

    static Downstream wire(LatchkeyConfig config, Storage storage, Cipher cipher, MeterRegistry metrics, Clock clock) {
        boolean development = config.development().allowInsecureHttp();
        URI callback = callbackUri(config.server().publicUrl());
        ClientIdentity identity = new ClientIdentity(config.server().publicUrl(), callback);
        ConfiguredResources resources = new ConfiguredResources(
                config,
                new AuthorizationServerDiscovery(new UrlPolicy(development, false), DISCOVERY_TIMEOUT),
                new AuthorizationServerDiscovery(new UrlPolicy(development, true), DISCOVERY_TIMEOUT),
                identity);
        NimbusTokenEndpoint endpoint = new NimbusTokenEndpoint(resources.clients(), clock);
        RefreshCoordinator coordinator = new RefreshCoordinator(
                storage.tokens(),
                new JdbcGrantLease(storage.database().dataSource()),
                new RetryingTokenEndpoint(endpoint),
                clock,
                leaseOwner(),
                RefreshCoordinator.Settings.withDeadline(config.refresh().deadline()),
                new RefreshEvents(metrics, storage.audit(), clock));
        // A hot grant writes its use once a minute per replica, not once per request, and never on
        // the request's thread: one background writer with a bounded queue (overflow is dropped).
        ThreadPoolExecutor useWriter = new ThreadPoolExecutor(
                1,
                1,
                0,
                TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(USE_WRITE_QUEUE),
                Thread.ofVirtual().name("latchkey-use-writer").factory(),
                new ThreadPoolExecutor.DiscardPolicy());
        GrantUsage usage = new ThrottledGrantUsage(
                new BackgroundGrantUsage(new JdbcGrantUsage(storage.database().dataSource()), useWriter),
                USE_WRITE_INTERVAL,
                MAX_THROTTLED_GRANTS);
        JdbcConnectFlowStore flows = new JdbcConnectFlowStore(storage.database().dataSource());
        Connections connections = new Connections(
                resources,
                flows,
                storage.tokens(),
                endpoint,
                cipher,
                storage.audit(),
                clock,
                callback,
                (tenant, returnTo) -> mayReturnTo(config, tenant, returnTo));
        // Two threads: a proactive refresh run (up to its run span) never holds up the purge.
        ScheduledExecutorService housekeeping = Executors.newScheduledThreadPool(
                2, Thread.ofVirtual().name("latchkey-housekeeping").factory());
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
        if (config.refresh().proactive()) {
            scheduleProactiveRefresh(housekeeping, config.refresh(), usage, coordinator, metrics, clock);
        }
        return new Downstream(
                connections,
                new TokenManager(resources, coordinator, connections, storage.tokens(), usage, clock),
                identity,
                housekeeping,
                useWriter);
    }

    /**
     * Runs the proactive refresher at a fixed rate of one run per run span (a run at most that long
     * at the configured rate, so under a storm the runs follow each other and the rate holds), the
     * first after a random part of it so that replicas started together do not run in lockstep.
     */
    private static void scheduleProactiveRefresh(
            ScheduledExecutorService housekeeping,
            RefreshConfig refresh,
            GrantUsage usage,
            RefreshCoordinator coordinator,
            MeterRegistry metrics,
            Clock clock) {
        ProactiveRefresher refresher = new ProactiveRefresher(
                usage,
                coordinator,
                clock,
                ProactiveRefresher.Settings.of(
                        refresh.window(), refresh.idleLimit(), refresh.ratePerSecond(), refresh.concurrency()),
                new ProactiveRefresher.Listener() {
                    @Override
                    public void refreshEnded(GrantKey key, ProactiveRefresher.Outcome outcome) {
                        metrics.counter(
                                        "latchkey.refresh.proactive",
                                        "outcome",
                                        outcome.name().toLowerCase(Locale.ROOT))
                                .increment();
                    }
                });
        long period = ProactiveRefresher.Settings.runSpan().toMillis();
        var unused = housekeeping.scheduleAtFixedRate(
                () -> {
                    try {
                        int takenUp = refresher.runOnce();
                        LOG.atDebug().log("proactive refresh took up {} grants", takenUp);
                    } catch (RuntimeException e) {
                        // Store failures carry only the operation and SQLState; nothing secret.
                        LOG.atWarn().log("proactive refresh run failed: {}", e.getMessage());
                    }
                },
                ThreadLocalRandom.current().nextLong(period),
                period,
                TimeUnit.MILLISECONDS);
    }

    Connections connections() {
        return connections;
    }

    TokenManager tokens() {
        return tokens;
    }

    /** Latchkey's Client ID Metadata Documents. */
    ClientIdentity clientIdentity() {
        return identity;
    }

    @Override
    public void close() {
        housekeeping.shutdownNow();
        useWriter.shutdownNow();
    }

    static URI callbackUri(URI publicUrl) {
        return ClientIdentity.at(publicUrl, CALLBACK_PATH);
    }

    /** After connecting, users may be sent back only to Latchkey itself or the tenant's CORS origins. */
    static boolean mayReturnTo(LatchkeyConfig config, TenantId tenant, URI returnTo) {
        @Nullable String origin = WebOrigin.of(returnTo).orElse(null);
        if (origin == null) {
            return false;
        }
        if (WebOrigin.of(config.server().publicUrl()).orElseThrow().equals(origin)) {
            return true;
        }
        @Nullable TenantConfig tenantConfig = config.tenants().get(tenant);
        return tenantConfig != null
                && tenantConfig.cors().allowedOrigins().stream()
                        .anyMatch(allowed -> origin.equals(allowed.toLowerCase(Locale.ROOT)));
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
