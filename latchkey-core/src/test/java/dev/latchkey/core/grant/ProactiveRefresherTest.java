package dev.latchkey.core.grant;

import static java.util.Objects.requireNonNull;
import static org.assertj.core.api.Assertions.assertThat;

import dev.latchkey.core.crypto.Keyset;
import dev.latchkey.core.crypto.TinkCipher;
import dev.latchkey.core.grant.ProactiveRefresher.Outcome;
import dev.latchkey.core.identity.UserId;
import dev.latchkey.core.secret.Secret;
import dev.latchkey.core.tenant.TenantId;
import dev.latchkey.core.testing.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The {@link ProactiveRefresher} with the real {@link RefreshCoordinator} over the in-memory store,
 * lease and usage, refreshing at an in-memory rotating authorization server. Pacing runs in virtual
 * time: every pause the refresher takes moves the clock, so minutes of refreshing take a second and
 * every instant the server records is exact.
 */
class ProactiveRefresherTest {
    private static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
    private static final Duration WINDOW = Duration.ofMinutes(5);
    private static final Duration IDLE_LIMIT = Duration.ofHours(24);
    private static final Duration CALLER_SKEW = Duration.ofSeconds(60);

    private final TestClock clock = new TestClock(T0);
    private final VirtualPacing pacing = new VirtualPacing();
    private final InMemorySealedTokenStore rows = new InMemorySealedTokenStore();
    private final InMemoryGrantUsage usage = new InMemoryGrantUsage(rows);
    private final InMemoryAuthorizationServer server = new InMemoryAuthorizationServer(clock, Duration.ofHours(1));
    private final Map<Outcome, AtomicInteger> outcomes = Collections.synchronizedMap(new HashMap<>());
    private TinkCipher cipher;
    private EncryptedTokenStore store;

    @BeforeEach
    void open() throws Exception {
        cipher = TinkCipher.of(Keyset.generate());
        store = new EncryptedTokenStore(rows, cipher, EncryptedTokenStore.Listener.NONE);
    }

    @Test
    void runOnce_tenThousandGrantsExpiringInOneMinute_refreshesEachOnceAtABoundedRateBeforeCallersNeedIt() {
        int users = 10_000;
        int rate = 50;
        int concurrency = 4;
        Instant firstExpiry = T0.plus(Duration.ofMinutes(6));
        Map<GrantKey, Instant> used = new HashMap<>();
        for (int i = 0; i < users; i++) {
            GrantKey key = GrantKey.of(i % 2 == 0 ? "acme" : "globex", "user-" + i, "github-mcp");
            Instant expiresAt = firstExpiry.plusMillis(i * 60_000L / users);
            connect(key, expiresAt);
            usage.recordUse(key, T0.minusSeconds(i % 3600));
            used.put(key, expiresAt);
        }
        List<GrantKey> unused = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            GrantKey neverUsed = GrantKey.of("acme", "unused-" + i, "github-mcp");
            connect(neverUsed, firstExpiry.plusMillis(i * 100L));
            GrantKey idle = GrantKey.of("globex", "idle-" + i, "github-mcp");
            connect(idle, firstExpiry.plusMillis(i * 100L));
            usage.recordUse(idle, T0.minus(IDLE_LIMIT).minusSeconds(1));
            unused.add(neverUsed);
            unused.add(idle);
        }
        ProactiveRefresher refresher = refresher(coordinator(server), rate, concurrency);

        // As scheduled in the app: at a fixed rate of one run per 30 s, one run at a time.
        Instant nextRun = T0;
        while (clock.instant().isBefore(firstExpiry.plus(Duration.ofMinutes(2)))) {
            if (clock.instant().isBefore(nextRun)) {
                pacing.pass(Duration.between(clock.instant(), nextRun));
            }
            nextRun = nextRun.plus(ProactiveRefresher.Settings.runSpan());
            refresher.runOnce();
        }

        List<InMemoryAuthorizationServer.Call> calls = server.calls();
        assertThat(calls).noneMatch(InMemoryAuthorizationServer.Call::reused);
        Map<GrantKey, Long> callsPerGrant = calls.stream()
                .collect(Collectors.groupingBy(InMemoryAuthorizationServer.Call::key, Collectors.counting()));
        assertThat(callsPerGrant)
                .hasSize(users)
                .allSatisfy((key, count) -> assertThat(count).isEqualTo(1));
        assertThat(callsPerGrant.keySet()).doesNotContainAnyElementsOf(unused);
        // Every grant was refreshed before a caller's own skew would have made it wait for one.
        assertThat(calls)
                .allSatisfy(call -> assertThat(call.at())
                        .isBefore(requireNonNull(used.get(call.key())).minus(CALLER_SKEW)));
        assertThat(mostCallsInOneSecond(calls)).isLessThanOrEqualTo(rate + concurrency);
        Duration spread =
                Duration.between(calls.getFirst().at(), calls.getLast().at());
        assertThat(spread).isGreaterThanOrEqualTo(Duration.ofSeconds(users / rate - 1));
        assertThat(outcomes.get(Outcome.FRESH)).hasValue(users);

        // Past every original expiry, each user's request is answered from the store: no failures
        // and no refresh on the callers' path.
        RefreshCoordinator callers = coordinator(server);
        for (GrantKey key : used.keySet()) {
            assertThat(callers.currentToken(key, CALLER_SKEW)).isInstanceOf(TokenResult.Fresh.class);
        }
        assertThat(server.calls()).hasSize(users);
    }

    @Test
    void runOnce_unusedAndIdleGrants_areLeftToExpire() {
        GrantKey usedKey = GrantKey.of("acme", "alice", "github-mcp");
        GrantKey neverUsed = GrantKey.of("acme", "bob", "github-mcp");
        GrantKey idle = GrantKey.of("acme", "carol", "github-mcp");
        GrantKey notYetDue = GrantKey.of("acme", "dave", "github-mcp");
        connect(usedKey, T0.plus(Duration.ofMinutes(2)));
        connect(neverUsed, T0.plus(Duration.ofMinutes(2)));
        connect(idle, T0.plus(Duration.ofMinutes(2)));
        connect(notYetDue, T0.plus(Duration.ofMinutes(30)));
        usage.recordUse(usedKey, T0.minus(Duration.ofHours(23)));
        usage.recordUse(idle, T0.minus(Duration.ofHours(25)));
        usage.recordUse(notYetDue, T0);

        int takenUp = refresher(coordinator(server), 20, 4).runOnce();

        assertThat(takenUp).isEqualTo(1);
        assertThat(server.calls())
                .extracting(InMemoryAuthorizationServer.Call::key)
                .containsExactly(usedKey);
        assertThat(expiryOf(usedKey)).isAfter(T0.plus(Duration.ofMinutes(55)));
        assertThat(expiryOf(neverUsed)).isEqualTo(T0.plus(Duration.ofMinutes(2)));
        assertThat(expiryOf(idle)).isEqualTo(T0.plus(Duration.ofMinutes(2)));
    }

    @Test
    void runOnce_failingGrants_doNotStopTheRunAndBackOff() {
        TenantId down = TenantId.of("down");
        GrantKey healthy = GrantKey.of("acme", "alice", "github-mcp");
        GrantKey serverDown = new GrantKey(down, UserId.of("bob"), ResourceName.of("github-mcp"));
        GrantKey noRefreshToken = GrantKey.of("acme", "carol", "github-mcp");
        GrantKey brokenRow = GrantKey.of("acme", "dave", "github-mcp");
        Instant expiresAt = T0.plus(Duration.ofMinutes(4));
        for (GrantKey key : List.of(healthy, serverDown, brokenRow)) {
            connect(key, expiresAt);
        }
        store.compareAndSet(noRefreshToken, 0, new TokenSet(Secret.of("at-only"), null, "Bearer", Set.of(), expiresAt));
        for (GrantKey key : List.of(healthy, serverDown, noRefreshToken, brokenRow)) {
            usage.recordUse(key, T0);
        }
        AtomicInteger downCalls = new AtomicInteger();
        TokenEndpoint partlyDown = (key, refreshToken, deadline) -> {
            if (key.tenant().equals(down)) {
                downCalls.incrementAndGet();
                return new RefreshOutcome.Transient("http_503", null);
            }
            return server.refresh(key, refreshToken, deadline);
        };
        // A row the store cannot even read throws out of the coordinator.
        TokenStore oneRowBroken =
                new EncryptedTokenStore(new FailingReads(rows, brokenRow), cipher, EncryptedTokenStore.Listener.NONE);
        ProactiveRefresher refresher = refresher(coordinator(partlyDown, oneRowBroken), 20, 4);

        assertThat(refresher.runOnce()).isEqualTo(4);
        assertThat(outcomes)
                .containsOnlyKeys(Outcome.FRESH, Outcome.STALE, Outcome.AUTHORIZATION_REQUIRED, Outcome.FAILED);
        assertThat(server.calls())
                .extracting(InMemoryAuthorizationServer.Call::key)
                .containsExactly(healthy);

        // Refused and failing grants are left alone for a while; the healthy one is no longer due.
        pacing.pass(Duration.ofSeconds(1));
        assertThat(refresher.runOnce()).isZero();
        // A transient failure is tried again after at most the first pause (30 s, jittered).
        pacing.pass(Duration.ofSeconds(30));
        assertThat(refresher.runOnce()).isEqualTo(2);
        assertThat(downCalls).hasValue(2);
        // The second pause is longer: at least 30 s.
        pacing.pass(Duration.ofSeconds(29));
        assertThat(refresher.runOnce()).isZero();
        // The grant without a refresh token is left alone until it expires.
        pacing.pass(Duration.ofSeconds(150));
        assertThat(refresher.runOnce()).isEqualTo(2);
        assertThat(downCalls).hasValue(3);
    }

    @Test
    void runOnce_pageOfGrantsBackingOff_stillReachesTheGrantsBehindIt() {
        Instant soon = T0.plus(Duration.ofMinutes(2));
        for (int i = 0; i < 30; i++) {
            GrantKey key = GrantKey.of("acme", "no-rt-" + i, "github-mcp");
            store.compareAndSet(key, 0, new TokenSet(Secret.of("at-" + i), null, "Bearer", Set.of(), soon));
            usage.recordUse(key, T0);
        }
        GrantKey behind = GrantKey.of("acme", "zed", "github-mcp");
        connect(behind, soon.plusSeconds(60));
        usage.recordUse(behind, T0);
        // Batches of 10: the first run takes up the 10 earliest, all refused.
        ProactiveRefresher refresher = new ProactiveRefresher(
                usage,
                coordinator(server),
                clock,
                new ProactiveRefresher.Settings(WINDOW, IDLE_LIMIT, 1000, 4, 10),
                recordingListener(),
                pacing);

        assertThat(refresher.runOnce()).isEqualTo(10);
        assertThat(refresher.runOnce()).isEqualTo(10);
        assertThat(refresher.runOnce()).isEqualTo(10);
        assertThat(refresher.runOnce()).isEqualTo(1);

        assertThat(server.calls())
                .extracting(InMemoryAuthorizationServer.Call::key)
                .containsExactly(behind);
        assertThat(outcomes.get(Outcome.AUTHORIZATION_REQUIRED)).hasValue(30);
    }

    private void connect(GrantKey key, Instant expiresAt) {
        assertThat(store.compareAndSet(key, 0, server.issue(key, expiresAt))).isInstanceOf(StoreResult.Stored.class);
    }

    private Instant expiryOf(GrantKey key) {
        return requireNonNull(
                ((GrantLookup.Found) store.find(key)).grant().tokens().expiresAt());
    }

    private ProactiveRefresher refresher(RefreshCoordinator coordinator, int rate, int concurrency) {
        return new ProactiveRefresher(
                usage,
                coordinator,
                clock,
                ProactiveRefresher.Settings.of(WINDOW, IDLE_LIMIT, rate, concurrency),
                recordingListener(),
                pacing);
    }

    private ProactiveRefresher.Listener recordingListener() {
        return new ProactiveRefresher.Listener() {
            @Override
            public void refreshEnded(GrantKey key, Outcome outcome) {
                outcomes.computeIfAbsent(outcome, o -> new AtomicInteger()).incrementAndGet();
            }
        };
    }

    private RefreshCoordinator coordinator(TokenEndpoint endpoint) {
        return coordinator(endpoint, store);
    }

    private RefreshCoordinator coordinator(TokenEndpoint endpoint, TokenStore tokens) {
        return new RefreshCoordinator(
                tokens,
                new InMemoryGrantLease(rows),
                endpoint,
                clock,
                "replica-test",
                RefreshCoordinator.Settings.defaults(),
                RefreshCoordinator.Listener.NONE);
    }

    /** The most calls whose instants fall within any one second. */
    private static int mostCallsInOneSecond(List<InMemoryAuthorizationServer.Call> calls) {
        List<Instant> instants = calls.stream()
                .map(InMemoryAuthorizationServer.Call::at)
                .sorted()
                .toList();
        int most = 0;
        int start = 0;
        for (int end = 0; end < instants.size(); end++) {
            while (!instants.get(start).plusSeconds(1).isAfter(instants.get(end))) {
                start++;
            }
            most = Math.max(most, end - start + 1);
        }
        return most;
    }

    /** A store whose reads of one row fail, as when the database breaks mid-run. */
    private record FailingReads(SealedTokenStore rows, GrantKey broken) implements SealedTokenStore {
        @Override
        public Optional<SealedGrant> find(GrantKey key) {
            if (key.equals(broken)) {
                throw new IllegalStateException("store unavailable");
            }
            return rows.find(key);
        }

        @Override
        public SealedWrite compareAndSet(
                GrantKey key, long expectedVersion, Ciphertext ciphertext, @Nullable Instant expiresAt) {
            return rows.compareAndSet(key, expectedVersion, ciphertext, expiresAt);
        }

        @Override
        public boolean reseal(GrantKey key, long version, Ciphertext ciphertext) {
            return rows.reseal(key, version, ciphertext);
        }

        @Override
        public boolean delete(GrantKey key, long expectedVersion) {
            return rows.delete(key, expectedVersion);
        }

        @Override
        public List<SealedGrant> listForUser(TenantId tenant, UserId user) {
            return rows.listForUser(tenant, user);
        }

        @Override
        public List<SealedGrant> page(@Nullable GrantKey after, int limit) {
            return rows.page(after, limit);
        }
    }

    /** Pauses that pass in no time: they move the test clock and the pacing ticker together. */
    private final class VirtualPacing implements ProactiveRefresher.Pacing {
        private final AtomicLong nanos = new AtomicLong();

        @Override
        public long nanoTime() {
            return nanos.get();
        }

        @Override
        public void sleep(Duration pause) {
            pass(pause);
        }

        void pass(Duration duration) {
            nanos.addAndGet(duration.toNanos());
            clock.advance(duration);
        }
    }
}
