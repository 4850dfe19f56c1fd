package dev.latchkey.bench;

import dev.latchkey.core.crypto.Keyset;
import dev.latchkey.core.crypto.TinkCipher;
import dev.latchkey.core.downstream.Connections;
import dev.latchkey.core.downstream.ResourceCatalog;
import dev.latchkey.core.downstream.ResourceClient;
import dev.latchkey.core.downstream.TokenAnswer;
import dev.latchkey.core.downstream.TokenManager;
import dev.latchkey.core.grant.ConnectEndpoint;
import dev.latchkey.core.grant.EncryptedTokenStore;
import dev.latchkey.core.grant.GrantKey;
import dev.latchkey.core.grant.GrantUsage;
import dev.latchkey.core.grant.NimbusTokenEndpoint;
import dev.latchkey.core.grant.RefreshCoordinator;
import dev.latchkey.core.grant.RefreshOutcome;
import dev.latchkey.core.grant.ResourceName;
import dev.latchkey.core.grant.StoreResult;
import dev.latchkey.core.grant.ThrottledGrantUsage;
import dev.latchkey.core.grant.TokenEndpoint;
import dev.latchkey.core.grant.TokenSet;
import dev.latchkey.core.identity.UserId;
import dev.latchkey.core.secret.Secret;
import dev.latchkey.core.tenant.TenantId;
import dev.latchkey.store.Database;
import dev.latchkey.store.JdbcAuditLog;
import dev.latchkey.store.JdbcConnectFlowStore;
import dev.latchkey.store.JdbcGrantLease;
import dev.latchkey.store.JdbcGrantUsage;
import dev.latchkey.store.JdbcSealedTokenStore;
import java.io.IOException;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * {@code TokenManager.token(tenant, user, resource)} for a fresh stored grant — what {@code GET
 * /v1/tokens/{resource}} costs inside the process, without HTTP and authentication: the resource
 * lookup (a fixed {@link ResourceClient}, as a resolved catalog entry), the refresh coordinator's
 * read of the canonical row through the real {@link EncryptedTokenStore} over {@link
 * JdbcSealedTokenStore} (select by key, AES-256-GCM open with the grant as associated data,
 * decode) and its skew check, and the record of the grant's use for proactive refresh ({@link
 * JdbcGrantUsage} behind {@link ThrottledGrantUsage}: one {@code UPDATE} per grant per minute,
 * as the application wires it). Each trial seeds {@link #grants} grants of distinct users, whose
 * access tokens expire a day later, and every thread walks them round-robin from its own start.
 * The token endpoint and the connect endpoint fail the benchmark if they are ever called: a fresh
 * grant must never be refreshed.
 */
@State(Scope.Benchmark)
// JMH creates the state and fills these fields in @Setup before any benchmark method runs.
@SuppressWarnings("NullAway.Init")
public class TokenManagerBenchmark {
    private static final TenantId TENANT = TenantId.of("bench");
    private static final ResourceName RESOURCE = ResourceName.of("github");
    // About the length of a signed JWT access token from mock-oauth2-server or Entra.
    private static final int ACCESS_TOKEN_LENGTH = 800;
    private static final Duration USAGE_WRITE_INTERVAL = Duration.ofMinutes(1);
    private static final long USAGE_REMEMBERED_GRANTS = 100_000;
    private static final char[] BASE64URL =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".toCharArray();

    @Param({"h2", "postgresql"})
    public String database;

    @Param({"10000"})
    public int grants;

    private BenchDatabase opened;
    private Database db;
    private TokenManager tokens;
    private List<UserId> users;
    private final AtomicInteger threads = new AtomicInteger();
    private final FailingEndpoints endpoints = new FailingEndpoints();

    @Setup(Level.Trial)
    public void open() throws Exception {
        opened = BenchDatabase.open(database);
        db = opened.database();
        TinkCipher cipher = TinkCipher.of(Keyset.generate());
        EncryptedTokenStore store = new EncryptedTokenStore(
                new JdbcSealedTokenStore(db.dataSource()), cipher, EncryptedTokenStore.Listener.NONE);
        Clock clock = Clock.systemUTC();
        RefreshCoordinator coordinator = new RefreshCoordinator(
                store,
                new JdbcGrantLease(db.dataSource()),
                endpoints,
                clock,
                "bench",
                RefreshCoordinator.Settings.defaults(),
                RefreshCoordinator.Listener.NONE);
        ResourceCatalog catalog = fixedCatalog(resourceClient());
        Connections connections = new Connections(
                catalog,
                new JdbcConnectFlowStore(db.dataSource()),
                store,
                endpoints,
                cipher,
                new JdbcAuditLog(db.dataSource()),
                clock,
                URI.create("http://127.0.0.1:8080/v1/connections/callback"),
                (tenant, returnTo) -> false);
        // As the application wires it: a grant's use is written at most once a minute.
        GrantUsage usage = new ThrottledGrantUsage(
                new JdbcGrantUsage(db.dataSource()), USAGE_WRITE_INTERVAL, USAGE_REMEMBERED_GRANTS);
        tokens = new TokenManager(catalog, coordinator, connections, store, usage, clock);

        Instant expiry = clock.instant().plus(Duration.ofDays(1));
        List<UserId> seeded = new ArrayList<>(grants);
        for (int i = 0; i < grants; i++) {
            UserId user = UserId.of(UUID.randomUUID().toString());
            if (!(store.compareAndSet(new GrantKey(TENANT, user, RESOURCE), 0, tokenSet(expiry))
                    instanceof StoreResult.Stored)) {
                throw new IllegalStateException("seeding a fresh database lost a race");
            }
            seeded.add(user);
        }
        users = List.copyOf(seeded);
    }

    @TearDown(Level.Iteration)
    public void checkNothingWasRefreshed() {
        endpoints.check();
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        opened.close();
    }

    /** Each thread walks every grant in turn, starting at a place of its own. */
    @State(Scope.Thread)
    public static class Cursor {
        int next;

        @Setup(Level.Trial)
        public void start(TokenManagerBenchmark bench) {
            next = (bench.threads.getAndIncrement() * 7919) % bench.users.size();
        }
    }

    /** Latency distribution (p50, p99, p99.9) of one call. */
    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public TokenAnswer tokenLatency(Cursor cursor) {
        return token(cursor);
    }

    /** Calls per second. */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public TokenAnswer tokenThroughput(Cursor cursor) {
        return token(cursor);
    }

    private TokenAnswer token(Cursor cursor) {
        UserId user = users.get(cursor.next);
        cursor.next = cursor.next + 1 == users.size() ? 0 : cursor.next + 1;
        TokenAnswer answer = tokens.token(TENANT, user, RESOURCE);
        if (!(answer instanceof TokenAnswer.Token)) {
            throw new IllegalStateException("a fresh stored grant was not served: " + answer);
        }
        return answer;
    }

    private static ResourceClient resourceClient() {
        return new ResourceClient(
                RESOURCE,
                URI.create("https://api.github.example"),
                URI.create("https://as.example"),
                false,
                URI.create("https://as.example/authorize"),
                new NimbusTokenEndpoint.Client(
                        URI.create("https://as.example/token"), "latchkey", Secret.of("bench-client-secret")),
                Set.of("repo", "offline_access"),
                Map.of(),
                Duration.ofMinutes(1));
    }

    private static ResourceCatalog fixedCatalog(ResourceClient client) {
        ResourceCatalog.Lookup known = new ResourceCatalog.Lookup.Known(client);
        return (tenant, name) -> name.equals(client.name()) ? known : new ResourceCatalog.Lookup.Unknown();
    }

    private static TokenSet tokenSet(Instant expiry) {
        char[] access = new char[ACCESS_TOKEN_LENGTH];
        SecureRandom random = new SecureRandom();
        for (int i = 0; i < access.length; i++) {
            access[i] = BASE64URL[random.nextInt(BASE64URL.length)];
        }
        return new TokenSet(
                Secret.of(new String(access)),
                Secret.of(UUID.randomUUID().toString()),
                "Bearer",
                Set.of("repo", "offline_access"),
                expiry.plusSeconds(ThreadLocalRandom.current().nextInt(3600)));
    }

    /**
     * The authorization server's side, which a fresh grant never reaches: any call is recorded and
     * answered with a refusal, and the benchmark fails at the end of the iteration. (An exception
     * thrown here would be turned into a transient failure by the coordinator and go unnoticed.)
     */
    private static final class FailingEndpoints implements TokenEndpoint, ConnectEndpoint {
        private final AtomicInteger calls = new AtomicInteger();

        @Override
        public RefreshOutcome refresh(GrantKey key, Secret refreshToken, Duration deadline) {
            calls.incrementAndGet();
            return new RefreshOutcome.Terminal("invalid_grant");
        }

        @Override
        public RefreshOutcome redeem(
                GrantKey key, Secret code, Secret codeVerifier, URI redirectUri, Duration deadline) {
            calls.incrementAndGet();
            return new RefreshOutcome.Terminal("invalid_grant");
        }

        @Override
        public boolean revoke(GrantKey key, Secret refreshToken, Duration deadline) {
            calls.incrementAndGet();
            return false;
        }

        void check() {
            int made = calls.get();
            if (made != 0) {
                throw new IllegalStateException(
                        made + " call(s) reached the authorization server for fresh grants; none may");
            }
        }
    }
}
