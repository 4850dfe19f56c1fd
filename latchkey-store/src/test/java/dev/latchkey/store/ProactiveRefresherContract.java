package dev.latchkey.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.latchkey.core.crypto.Keyset;
import dev.latchkey.core.crypto.TinkCipher;
import dev.latchkey.core.grant.EncryptedTokenStore;
import dev.latchkey.core.grant.GrantKey;
import dev.latchkey.core.grant.GrantLookup;
import dev.latchkey.core.grant.NimbusTokenEndpoint;
import dev.latchkey.core.grant.ProactiveRefresher;
import dev.latchkey.core.grant.ProactiveRefresher.Outcome;
import dev.latchkey.core.grant.RefreshCoordinator;
import dev.latchkey.core.grant.RefreshOutcome;
import dev.latchkey.core.grant.StoreResult;
import dev.latchkey.core.grant.TokenEndpoint;
import dev.latchkey.core.grant.TokenSet;
import dev.latchkey.core.grant.VersionedTokenSet;
import dev.latchkey.core.secret.Secret;
import dev.latchkey.testkit.MockIdp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The {@link ProactiveRefresher} over the real JDBC store, lease and usage, with the real
 * {@link RefreshCoordinator} refreshing at a real authorization server (mock-oauth2-server, which
 * rotates refresh tokens and refuses a redeemed one). Assertions are on the server's counts, on
 * what is stored, and on when the calls reached the token endpoint. Run against each database by a
 * subclass.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ProactiveRefresherContract {
    private static final Duration WINDOW = Duration.ofMinutes(5);
    private static final Duration IDLE_LIMIT = Duration.ofHours(24);
    private static final String RESOURCE = "github-mcp";

    private TestDatabase database;
    private MockIdp idp;
    private EncryptedTokenStore store;
    private JdbcGrantLease lease;
    private JdbcGrantUsage usage;
    private NimbusTokenEndpoint endpoint;
    private ConnectedGrants grants;
    private final Map<Outcome, AtomicInteger> outcomes = new ConcurrentHashMap<>();

    protected abstract TestDatabase openDatabase();

    @BeforeAll
    void open() throws Exception {
        database = openDatabase();
        idp = MockIdp.start();
        store = new EncryptedTokenStore(
                new JdbcSealedTokenStore(database.dataSource()),
                TinkCipher.of(Keyset.generate()),
                EncryptedTokenStore.Listener.NONE);
        lease = new JdbcGrantLease(database.dataSource());
        usage = new JdbcGrantUsage(database.dataSource());
        // One issuer per tenant: tenant "acme" refreshes at the issuer "acme".
        endpoint = new NimbusTokenEndpoint(
                key -> Optional.of(new NimbusTokenEndpoint.Client(
                        idp.tokenEndpoint(key.tenant().value()), "latchkey", Secret.of("client-secret"))),
                Clock.systemUTC());
        grants = new ConnectedGrants(idp, store);
    }

    @AfterAll
    void close() {
        idp.close();
        database.close();
    }

    @BeforeEach
    void clear() {
        database.update("DELETE FROM token_sets");
        outcomes.clear();
    }

    @Test
    void runOnce_refreshesUsedGrantsExpiringSoon_andLeavesUnusedOnesToExpire() throws Exception {
        Instant now = Instant.now();
        Map<GrantKey, String> due = new LinkedHashMap<>();
        for (int i = 0; i < 3; i++) {
            GrantKey key = newKey(i % 2 == 0 ? "acme" : "globex");
            due.put(key, grants.connect(key, expiringIn(Duration.ofMinutes(2))));
            usage.recordUse(key, now.minus(Duration.ofHours(1)));
        }
        GrantKey unused = newKey("acme");
        GrantKey idle = newKey("acme");
        GrantKey notYetDue = newKey("acme");
        Map<GrantKey, String> left = new LinkedHashMap<>();
        left.put(unused, grants.connect(unused, expiringIn(Duration.ofMinutes(2))));
        left.put(idle, grants.connect(idle, expiringIn(Duration.ofMinutes(2))));
        left.put(notYetDue, grants.connect(notYetDue, expiringIn(Duration.ofHours(1))));
        usage.recordUse(idle, now.minus(IDLE_LIMIT).minusSeconds(60));
        usage.recordUse(notYetDue, now);

        int takenUp = refresher(coordinator(endpoint), 20, 4).runOnce();

        assertThat(takenUp).isEqualTo(3);
        assertThat(outcomes).containsOnlyKeys(Outcome.FRESH);
        due.forEach((key, refreshToken) -> {
            assertThat(idp.refreshCalls(key.tenant().value(), refreshToken)).isEqualTo(1);
            VersionedTokenSet stored = found(key);
            assertThat(stored.version()).isEqualTo(2);
            assertThat(stored.tokens().refreshToken()).isNotEqualTo(Secret.of(refreshToken));
        });
        left.forEach((key, refreshToken) -> {
            assertThat(idp.refreshCalls(key.tenant().value(), refreshToken)).isZero();
            assertThat(found(key).version()).isEqualTo(1);
        });
    }

    @Test
    void runOnce_manyDueGrants_reachTheTokenEndpointAtTheRateWithBoundedConcurrency() throws Exception {
        int count = 30;
        int rate = 10;
        int concurrency = 3;
        Map<GrantKey, String> due = connectUsed(count);
        CountingEndpoint counting = new CountingEndpoint(endpoint);

        int takenUp = refresher(coordinator(counting), rate, concurrency).runOnce();

        assertThat(takenUp).isEqualTo(count);
        due.forEach((key, refreshToken) ->
                assertThat(idp.refreshCalls(key.tenant().value(), refreshToken)).isEqualTo(1));
        assertThat(counting.starts()).hasSize(count);
        // Starts are paced 1/rate apart; a call delayed past a later start still holds one of the
        // concurrency permits, so no second sees more than rate + concurrency calls.
        assertThat(mostInOneSecond(counting.starts())).isLessThanOrEqualTo(rate + concurrency);
        assertThat(counting.mostInFlight()).isLessThanOrEqualTo(concurrency);
    }

    @Test
    void runOnce_twoReplicasAtOnce_refreshEachGrantOnce() throws Exception {
        Map<GrantKey, String> due = connectUsed(20);
        ProactiveRefresher replicaA = refresher(coordinator(endpoint), 50, 4);
        ProactiveRefresher replicaB = refresher(coordinator(endpoint), 50, 4);

        CountDownLatch start = new CountDownLatch(1);
        List<Future<Integer>> runs = new ArrayList<>();
        try (ExecutorService replicas = Executors.newVirtualThreadPerTaskExecutor()) {
            for (ProactiveRefresher replica : List.of(replicaA, replicaB)) {
                runs.add(replicas.submit(() -> {
                    start.await();
                    return replica.runOnce();
                }));
            }
            start.countDown();
            for (Future<Integer> run : runs) {
                assertThat(run.get(60, TimeUnit.SECONDS)).isLessThanOrEqualTo(20);
            }
        }

        due.forEach((key, refreshToken) -> {
            assertThat(idp.refreshCalls(key.tenant().value(), refreshToken)).isEqualTo(1);
            assertThat(found(key).version()).isEqualTo(2);
        });
        assertThat(outcomes).containsOnlyKeys(Outcome.FRESH);
    }

    @Test
    void runOnce_refusedGrantAndGrantWithoutRefreshToken_neitherStopTheRunNorComeBack() throws Exception {
        Map<GrantKey, String> healthy = connectUsed(2);
        GrantKey refused = newKey("acme");
        String neverIssued = "rt-never-issued-" + UUID.randomUUID();
        assertThat(store.compareAndSet(
                        refused,
                        0,
                        new TokenSet(
                                Secret.of("at-" + UUID.randomUUID()),
                                Secret.of(neverIssued),
                                "Bearer",
                                Set.of(),
                                Instant.now().plus(Duration.ofMinutes(2)))))
                .isInstanceOf(StoreResult.Stored.class);
        GrantKey noRefreshToken = newKey("acme");
        assertThat(store.compareAndSet(
                        noRefreshToken,
                        0,
                        new TokenSet(
                                Secret.of("at-" + UUID.randomUUID()),
                                null,
                                "Bearer",
                                Set.of(),
                                Instant.now().plus(Duration.ofMinutes(2)))))
                .isInstanceOf(StoreResult.Stored.class);
        usage.recordUse(refused, Instant.now());
        usage.recordUse(noRefreshToken, Instant.now());
        ProactiveRefresher refresher = refresher(coordinator(endpoint), 20, 4);

        assertThat(refresher.runOnce()).isEqualTo(4);
        assertThat(refresher.runOnce()).isZero();

        healthy.forEach((key, refreshToken) ->
                assertThat(idp.refreshCalls(key.tenant().value(), refreshToken)).isEqualTo(1));
        assertThat(idp.refreshCalls("acme", neverIssued)).isEqualTo(1);
        assertThat(store.find(refused)).isInstanceOf(GrantLookup.Missing.class);
        assertThat(found(noRefreshToken).version()).isEqualTo(1);
        assertThat(outcomes.get(Outcome.FRESH)).hasValue(2);
        assertThat(outcomes.get(Outcome.AUTHORIZATION_REQUIRED)).hasValue(2);
    }

    /** {@code count} grants in two tenants, used an hour ago, whose tokens expire in two minutes. */
    private Map<GrantKey, String> connectUsed(int count) throws Exception {
        Map<GrantKey, String> connected = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            GrantKey key = newKey(i % 2 == 0 ? "acme" : "globex");
            connected.put(key, grants.connect(key, expiringIn(Duration.ofMinutes(2))));
            usage.recordUse(key, Instant.now().minus(Duration.ofHours(1)));
        }
        return connected;
    }

    private ProactiveRefresher refresher(RefreshCoordinator coordinator, int rate, int concurrency) {
        return new ProactiveRefresher(
                usage,
                coordinator,
                Clock.systemUTC(),
                ProactiveRefresher.Settings.of(WINDOW, IDLE_LIMIT, rate, concurrency),
                new ProactiveRefresher.Listener() {
                    @Override
                    public void refreshEnded(GrantKey key, Outcome outcome) {
                        outcomes.computeIfAbsent(outcome, o -> new AtomicInteger())
                                .incrementAndGet();
                    }
                });
    }

    private RefreshCoordinator coordinator(TokenEndpoint tokens) {
        return new RefreshCoordinator(
                store,
                lease,
                tokens,
                Clock.systemUTC(),
                "replica-" + UUID.randomUUID(),
                RefreshCoordinator.Settings.defaults(),
                RefreshCoordinator.Listener.NONE);
    }

    private VersionedTokenSet found(GrantKey key) {
        GrantLookup lookup = store.find(key);
        assertThat(lookup).isInstanceOf(GrantLookup.Found.class);
        return ((GrantLookup.Found) lookup).grant();
    }

    private static GrantKey newKey(String tenant) {
        return GrantKey.of(tenant, "user-" + UUID.randomUUID(), RESOURCE);
    }

    private static TokenSet expiringIn(Duration lifetime) {
        return new TokenSet(
                Secret.of("at-" + UUID.randomUUID()),
                null,
                "Bearer",
                Set.of(),
                Instant.now().plus(lifetime));
    }

    /** The most starts (nanoTime) within any one second. */
    private static int mostInOneSecond(List<Long> starts) {
        List<Long> sorted = starts.stream().sorted().toList();
        long second = TimeUnit.SECONDS.toNanos(1);
        int most = 0;
        int first = 0;
        for (int last = 0; last < sorted.size(); last++) {
            while (sorted.get(last) - sorted.get(first) >= second) {
                first++;
            }
            most = Math.max(most, last - first + 1);
        }
        return most;
    }

    /**
     * The real endpoint, counting at the port's edge when each call starts and how many are in
     * flight at once.
     */
    private static final class CountingEndpoint implements TokenEndpoint {
        private final TokenEndpoint delegate;
        private final List<Long> starts = Collections.synchronizedList(new ArrayList<>());
        private final AtomicInteger inFlight = new AtomicInteger();
        private final AtomicInteger mostInFlight = new AtomicInteger();

        CountingEndpoint(TokenEndpoint delegate) {
            this.delegate = delegate;
        }

        @Override
        public RefreshOutcome refresh(GrantKey key, Secret refreshToken, Duration deadline) {
            starts.add(System.nanoTime());
            mostInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            try {
                return delegate.refresh(key, refreshToken, deadline);
            } finally {
                inFlight.decrementAndGet();
            }
        }

        List<Long> starts() {
            synchronized (starts) {
                return List.copyOf(starts);
            }
        }

        int mostInFlight() {
            return mostInFlight.get();
        }
    }
}
