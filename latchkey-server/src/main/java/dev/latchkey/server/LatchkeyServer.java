package dev.latchkey.server;

import dev.latchkey.core.health.HealthCheck;
import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.json.JavalinJackson3;
import io.javalin.util.JavalinException;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import jakarta.servlet.DispatcherType;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * Latchkey's HTTP listener: Javalin on Jetty 12 with virtual-thread request handling, health and
 * Prometheus endpoints, request ids, an access log, security headers and one error mapping
 * ({@link HttpErrors}). More routes come from {@link RouteModule}s given to the {@link Builder}.
 *
 * <p>Lifecycle: {@link #start()} once, then {@link #stop()} once; an instance cannot be restarted.
 * {@code stop()} is graceful: readiness turns to 503 first, then (after the optional readiness
 * grace period) Jetty stops accepting and waits up to the drain timeout for requests in flight.
 */
public final class LatchkeyServer {
    /** Prometheus text exposition format 0.0.4, the format {@code scrape()} writes. */
    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private static final int MAX_REQUEST_HEADER_BYTES = 16 * 1024;
    private static final Logger LOG = LoggerFactory.getLogger(LatchkeyServer.class);

    private final Javalin app;
    private final JvmMeters jvmMeters;
    private final Duration readinessGracePeriod;
    private final AtomicBoolean draining = new AtomicBoolean();
    private final AtomicBoolean stopped = new AtomicBoolean();
    private volatile @Nullable Server jetty;

    private LatchkeyServer(Builder builder) {
        PrometheusMeterRegistry registry = requireSet(builder.meterRegistry, "meterRegistry");
        this.readinessGracePeriod = builder.readinessGracePeriod;
        this.jvmMeters = new JvmMeters(registry);
        HealthEndpoints health = new HealthEndpoints(
                new ReadinessProbe(List.copyOf(builder.healthChecks), builder.healthCheckTimeout), draining::get);
        HttpServerMetrics httpMetrics = new HttpServerMetrics(registry);
        Listener listener = new Listener(builder.host, builder.port, builder.drainTimeout, builder.trustForwardedFor);
        List<RouteModule> modules = List.copyOf(builder.routeModules);
        Clock clock = builder.clock;
        this.app = Javalin.create(config -> {
            configureJetty(config, listener);
            HttpErrors.install(config);
            // Metrics first: a test that has seen the access-log line may rely on the meter.
            config.requestLogger.http(httpMetrics);
            config.requestLogger.http(new AccessLog());

            config.routes.get("/health/live", health::live);
            config.routes.get("/health/ready", health::ready);
            config.routes.get(
                    "/metrics", ctx -> ctx.contentType(PROMETHEUS_TEXT).result(registry.scrape()));
            SessionCookies cookies = new SessionCookies(builder.secureCookies);
            config.routes.before(ctx -> ctx.attribute(SessionCookies.ATTRIBUTE, cookies));
            Routes facade = new Routes(config.routes, clock);
            modules.forEach(module -> module.register(facade));
        });
    }

    private void configureJetty(JavalinConfig config, Listener listener) {
        config.startup.showJavalinBanner = false;
        config.startup.showOldJavalinVersionWarning = false;
        config.startup.startupWatcherEnabled = false;
        config.concurrency.useVirtualThreads = true;
        config.jsonMapper(new JavalinJackson3(JsonMapper.builder().build(), true));
        config.jetty.host = listener.host();
        config.jetty.port = listener.port();
        config.jetty.modifyHttpConfiguration(http -> {
            // Security case C1-14: oversized headers are refused by Jetty with 431 before parsing.
            http.setRequestHeaderSize(MAX_REQUEST_HEADER_BYTES);
            http.setSendServerVersion(false);
            http.setSendXPoweredBy(false);
        });
        config.jetty.modifyServer(server -> {
            // Server.doStop shuts down every Graceful component (connectors stop accepting, this
            // handler waits for in-flight requests) for at most the stop timeout.
            server.insertHandler(new GracefulHandler());
            server.setStopTimeout(listener.drainTimeout().toMillis());
            this.jetty = server;
        });
        config.jetty.modifyServletContextHandler(context -> {
            EnumSet<DispatcherType> requests = EnumSet.of(DispatcherType.REQUEST);
            context.addFilter(new FilterHolder(new RequestIdFilter()), "/*", requests);
            context.addFilter(new FilterHolder(new SecurityHeadersFilter()), "/*", requests);
            context.addFilter(new FilterHolder(new ClientAddressFilter(listener.trustForwardedFor())), "/*", requests);
        });
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Binds the listener and starts serving.
     *
     * @return the bound port (the random one chosen when the configured port is 0)
     * @throws IllegalStateException if the server was already started or stopped
     */
    public int start() {
        if (stopped.get()) {
            throw new IllegalStateException("a stopped server cannot be started again");
        }
        app.start();
        return app.port();
    }

    /**
     * Turns readiness to 503 ("draining") without closing anything, so load balancers stop routing
     * new traffic here while requests in flight finish. {@link #stop()} calls it first.
     */
    public void beginDrain() {
        draining.set(true);
    }

    /** Whether {@link #beginDrain()} or {@link #stop()} has been called. */
    public boolean isDraining() {
        return draining.get();
    }

    /**
     * Stops gracefully: readiness turns to 503, the readiness grace period passes, then Jetty stops
     * accepting and waits up to the drain timeout for requests in flight before closing the rest.
     * Idempotent; safe to call from a shutdown hook.
     */
    public void stop() {
        beginDrain();
        if (stopped.getAndSet(true)) {
            return;
        }
        try {
            if (!readinessGracePeriod.isZero()) {
                Thread.sleep(readinessGracePeriod);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            try {
                app.stop();
            } catch (JavalinException e) {
                // Jetty has still closed everything; only the wait for in-flight requests timed out.
                LOG.warn("drain timeout passed with requests still in flight; they were cut off");
            } finally {
                jvmMeters.close();
            }
        }
    }

    /** The Jetty server, for tests in this package that watch its lifecycle. */
    Server jetty() {
        Server server = jetty;
        if (server == null) {
            throw new IllegalStateException("the server has not been started");
        }
        return server;
    }

    private record Listener(String host, int port, Duration drainTimeout, boolean trustForwardedFor) {}

    private static <T> T requireSet(@Nullable T value, String option) {
        if (value == null) {
            throw new IllegalStateException("LatchkeyServer option '" + option + "' must be set");
        }
        return value;
    }

    /**
     * Collects the options of a {@link LatchkeyServer}; {@link #build()} validates them and names
     * the offending option in its message. Not thread-safe; use it from one thread.
     */
    public static final class Builder {
        private String host = "127.0.0.1";
        private int port = 8080;
        private final List<HealthCheck> healthChecks = new ArrayList<>();
        private @Nullable PrometheusMeterRegistry meterRegistry;
        private Clock clock = Clock.systemUTC();
        private Duration drainTimeout = Duration.ofSeconds(20);
        private Duration readinessGracePeriod = Duration.ZERO;
        private Duration healthCheckTimeout = Duration.ofSeconds(2);
        private final List<RouteModule> routeModules = new ArrayList<>();
        private boolean trustForwardedFor;
        private boolean secureCookies = true;

        private Builder() {}

        /** The interface to bind; default {@code 127.0.0.1} (use {@code 0.0.0.0} in a container). */
        public Builder host(String host) {
            if (host.isBlank()) {
                throw new IllegalArgumentException("LatchkeyServer option 'host' must not be blank");
            }
            this.host = host;
            return this;
        }

        /** The port to bind, 0 for a random free port; default 8080. */
        public Builder port(int port) {
            if (port < 0 || port > 65_535) {
                throw new IllegalArgumentException("LatchkeyServer option 'port' must be 0..65535, was " + port);
            }
            this.port = port;
            return this;
        }

        /**
         * Whether the client a request comes from (what failed API-key attempts are counted per) is
         * the last address of {@code X-Forwarded-For} rather than the socket's peer; default false.
         * Turn it on only when every request reaches Latchkey through one reverse proxy that sets
         * or appends that header; otherwise clients could choose their own address.
         */
        public Builder trustForwardedFor(boolean trust) {
            this.trustForwardedFor = trust;
            return this;
        }

        /**
         * Whether browser cookies are {@code Secure} with the {@code __Host-} prefix (default); only
         * a development deployment on plain http turns this off.
         */
        public Builder secureCookies(boolean secure) {
            this.secureCookies = secure;
            return this;
        }

        /** Adds a readiness check; names must be unique. */
        public Builder healthCheck(HealthCheck check) {
            healthChecks.add(check);
            return this;
        }

        /** Adds readiness checks; names must be unique. */
        public Builder healthChecks(List<? extends HealthCheck> checks) {
            healthChecks.addAll(checks);
            return this;
        }

        /** The registry that {@code /metrics} scrapes and that JVM and HTTP meters are bound to. */
        public Builder meterRegistry(PrometheusMeterRegistry registry) {
            this.meterRegistry = registry;
            return this;
        }

        /** The clock handed to route modules; default {@link Clock#systemUTC()}. */
        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        /** How long {@link LatchkeyServer#stop()} waits for requests in flight; default 20 s. */
        public Builder drainTimeout(Duration timeout) {
            this.drainTimeout = requireNotNegative(timeout, "drainTimeout");
            return this;
        }

        /**
         * How long {@link LatchkeyServer#stop()} keeps serving with readiness at 503 before it stops
         * accepting, so that load balancers notice first; default zero.
         */
        public Builder readinessGracePeriod(Duration period) {
            this.readinessGracePeriod = requireNotNegative(period, "readinessGracePeriod");
            return this;
        }

        /** How long {@code /health/ready} waits for all checks together; default 2 s. */
        public Builder healthCheckTimeout(Duration timeout) {
            if (timeout.isZero() || timeout.isNegative()) {
                throw new IllegalArgumentException("LatchkeyServer option 'healthCheckTimeout' must be positive");
            }
            this.healthCheckTimeout = timeout;
            return this;
        }

        /** Adds routes; modules register in the order they were added. */
        public Builder routes(RouteModule module) {
            routeModules.add(module);
            return this;
        }

        /**
         * Validates the options and configures (but does not start) the server.
         *
         * @throws IllegalStateException if the registry is missing or two checks share a name
         */
        public LatchkeyServer build() {
            requireSet(meterRegistry, "meterRegistry");
            Set<String> names = new HashSet<>();
            for (HealthCheck check : healthChecks) {
                if (!names.add(check.name())) {
                    throw new IllegalStateException(
                            "LatchkeyServer option 'healthChecks' has two checks named '" + check.name() + "'");
                }
            }
            return new LatchkeyServer(this);
        }

        private static Duration requireNotNegative(Duration value, String option) {
            if (value.isNegative()) {
                throw new IllegalArgumentException("LatchkeyServer option '" + option + "' must not be negative");
            }
            return value;
        }
    }
}
