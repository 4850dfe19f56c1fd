package dev.latchkey.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import dev.latchkey.core.crypto.Keyset;
import dev.latchkey.core.crypto.TinkCipher;
import dev.latchkey.core.grant.EncryptedTokenStore;
import dev.latchkey.core.grant.GrantKey;
import dev.latchkey.core.grant.GrantLookup;
import dev.latchkey.core.grant.NimbusTokenEndpoint;
import dev.latchkey.core.grant.RefreshCoordinator;
import dev.latchkey.core.grant.StoreResult;
import dev.latchkey.core.grant.TokenEndpoint;
import dev.latchkey.core.grant.TokenResult;
import dev.latchkey.core.grant.TokenSet;
import dev.latchkey.core.grant.VersionedTokenSet;
import dev.latchkey.core.secret.Secret;
import dev.latchkey.testkit.MockIdp;
import dev.latchkey.testkit.TestGrants;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
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
 * The {@link RefreshCoordinator} over the real JDBC store and lease, refreshing at a real
 * authorization server (mock-oauth2-server, which rotates refresh tokens and refuses a redeemed
 * one with {@code invalid_grant}). Every assertion is on the server's call counts and on what is
 * stored. Run against each database by a subclass.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class RefreshCoordinatorContract {
    private static final Duration SKEW = Duration.ofSeconds(60);
    private static final Duration ANSWER_WITHIN = Duration.ofSeconds(30);
    private static final String RESOURCE = "github-mcp";

    private TestDatabase database;
    private MockIdp idp;
    private EncryptedTokenStore store;
    private JdbcGrantLease lease;
    private NimbusTokenEndpoint endpoint;

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
        // One issuer per tenant: tenant "acme" refreshes at the issuer "acme".
        endpoint = new NimbusTokenEndpoint(
                key -> Optional.of(new NimbusTokenEndpoint.Client(
                        idp.tokenEndpoint(key.tenant().value()), "latchkey", Secret.of("client-secret"))),
                Clock.systemUTC());
    }

    @AfterAll
    void close() {
        idp.close();
        database.close();
    }

    @BeforeEach
    void clear() {
        database.update("DELETE FROM token_sets");
    }

    @Test
    void currentToken_200ConcurrentCallersOnExpiredToken_oneRefreshAndOneNewToken() throws Exception {
        GrantKey key = newKey("acme");
        String refreshToken = connect(key, expiredAccessToken());
        RefreshCoordinator coordinator = coordinator(endpoint, RefreshCoordinator.Settings.defaults());

        List<TokenResult> results = concurrently(200, () -> coordinator.currentToken(key, SKEW));

        assertThat(idp.refreshCalls("acme", refreshToken)).isEqualTo(1);
        VersionedTokenSet stored = found(key);
        assertThat(stored.version()).isEqualTo(2);
        assertThat(stored.tokens().refreshToken()).isNotEqualTo(Secret.of(refreshToken));
        assertThat(results)
                .allSatisfy(result -> assertThat(result)
                        .isInstanceOfSatisfying(
                                TokenResult.Fresh.class,
                                fresh -> assertThat(fresh.grant().tokens().accessToken())
                                        .isEqualTo(stored.tokens().accessToken())));
    }

    @Test
    void currentToken_twoReplicasSharingTheDatabase_oneRefresh() throws Exception {
        GrantKey key = newKey("acme");
        String refreshToken = connect(key, expiredAccessToken());
        RefreshCoordinator replicaA = coordinator(endpoint, RefreshCoordinator.Settings.defaults());
        RefreshCoordinator replicaB = coordinator(endpoint, RefreshCoordinator.Settings.defaults());
        AtomicInteger turn = new AtomicInteger();

        List<TokenResult> results = concurrently(
                100, () -> (turn.incrementAndGet() % 2 == 0 ? replicaA : replicaB).currentToken(key, SKEW));

        assertThat(idp.refreshCalls("acme", refreshToken)).isEqualTo(1);
        Secret stored = found(key).tokens().accessToken();
        assertThat(results)
                .allSatisfy(result -> assertThat(result)
                        .isInstanceOfSatisfying(
                                TokenResult.Fresh.class,
                                fresh -> assertThat(fresh.grant().tokens().accessToken())
                                        .isEqualTo(stored)));
    }

    @Test
    void refreshAfterRejection_stormUnderRotation_oneRefreshAndNoInvalidGrant() throws Exception {
        GrantKey key = newKey("acme");
        Secret rejected = Secret.of("at-rejected-" + UUID.randomUUID());
        String refreshToken = connect(
                key,
                new TokenSet(rejected, null, "Bearer", Set.of(), Instant.now().plusSeconds(3600)));
        RefreshCoordinator coordinator = coordinator(endpoint, RefreshCoordinator.Settings.defaults());

        List<TokenResult> storm = concurrently(100, () -> coordinator.refreshAfterRejection(key, rejected.sha256()));
        // Callers that still held the old token report it again later: they get the stored one.
        List<TokenResult> stragglers =
                concurrently(20, () -> coordinator.refreshAfterRejection(key, rejected.sha256()));

        assertThat(idp.refreshCalls("acme", refreshToken)).isEqualTo(1);
        VersionedTokenSet stored = found(key);
        assertThat(stored.version()).isEqualTo(2);
        assertThat(concat(storm, stragglers))
                .allSatisfy(result -> assertThat(result)
                        .isInstanceOfSatisfying(
                                TokenResult.Fresh.class,
                                fresh -> assertThat(fresh.grant().tokens().accessToken())
                                        .isEqualTo(stored.tokens().accessToken())));

        // The rotated refresh token is the live one: rejecting the new token refreshes again.
        String rotated = stored.tokens().refreshTokenIfAny().orElseThrow().reveal();
        TokenResult next = coordinator.refreshAfterRejection(
                key, stored.tokens().accessToken().sha256());
        assertThat(next).isInstanceOf(TokenResult.Fresh.class);
        assertThat(idp.refreshCalls("acme", rotated)).isEqualTo(1);
        assertThat(found(key).version()).isEqualTo(3);
    }

    @Test
    void currentToken_refusedWithInvalidGrant_endsGrantAndRequiresAuthorization() {
        GrantKey key = newKey("acme");
        String unknown = "rt-never-issued-" + UUID.randomUUID();
        store.compareAndSet(
                key,
                0,
                new TokenSet(
                        Secret.of("at-old"),
                        Secret.of(unknown),
                        "Bearer",
                        Set.of(),
                        Instant.now().minusSeconds(3600)));
        RefreshCoordinator coordinator = coordinator(endpoint, RefreshCoordinator.Settings.defaults());

        TokenResult result = coordinator.currentToken(key, SKEW);

        assertThat(result).isEqualTo(new TokenResult.AuthorizationRequired("invalid_grant"));
        assertThat(idp.refreshCalls("acme", unknown)).isEqualTo(1);
        assertThat(store.find(key)).isInstanceOf(GrantLookup.Missing.class);
    }

    @Test
    void currentToken_serverHangs_answersByDeadlineAndFreesLease() throws Exception {
        CountDownLatch hold = new CountDownLatch(1);
        AtomicInteger calls = new AtomicInteger();
        HttpServer hanging = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        hanging.createContext("/token", exchange -> {
            calls.incrementAndGet();
            try {
                hold.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.sendResponseHeaders(503, -1);
            exchange.close();
        });
        hanging.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        hanging.start();
        try {
            URI tokenUri = URI.create("http://127.0.0.1:" + hanging.getAddress().getPort() + "/token");
            TokenEndpoint toHangingServer = new NimbusTokenEndpoint(
                    key -> Optional.of(new NimbusTokenEndpoint.Client(tokenUri, "latchkey", null)), Clock.systemUTC());
            GrantKey key = newKey("acme");
            store.compareAndSet(key, 0, TestGrants.expired(Instant.now()));
            RefreshCoordinator coordinator =
                    coordinator(toHangingServer, RefreshCoordinator.Settings.withDeadline(Duration.ofMillis(400)));

            List<TokenResult> results = concurrently(20, () -> coordinator.currentToken(key, SKEW));

            assertThat(results)
                    .allSatisfy(result -> assertThat(result).isInstanceOf(TokenResult.TemporarilyUnavailable.class));
            assertThat(calls.get()).isEqualTo(1);
            assertThat(found(key).version()).isEqualTo(1);
            long fence = lease.tryAcquire(key, "probe", Duration.ofMinutes(1)).orElseThrow();
            assertThat(lease.release(key, "probe", fence)).isTrue();
        } finally {
            hold.countDown();
            hanging.stop(0);
        }
    }

    @Test
    void currentToken_lateAnswerAfterNewerWrite_isDiscarded() throws Exception {
        GrantKey key = newKey("acme");
        String refreshToken = connect(key, expiredAccessToken());
        CountDownLatch gate = new CountDownLatch(1);
        CompletableFuture<Boolean> late = new CompletableFuture<>();
        RefreshCoordinator coordinator = coordinator(gated(gate), Duration.ofMillis(300), late);

        assertThat(coordinator.currentToken(key, SKEW)).isInstanceOf(TokenResult.TemporarilyUnavailable.class);
        // Meanwhile another replica stored a newer token set.
        TokenSet newer = TestGrants.fresh(Instant.now());
        assertThat(store.compareAndSet(key, 1, newer)).isInstanceOf(StoreResult.Stored.class);
        gate.countDown();

        assertThat(late.get(ANSWER_WITHIN.toSeconds(), TimeUnit.SECONDS)).isFalse();
        assertThat(idp.refreshCalls("acme", refreshToken)).isEqualTo(1);
        VersionedTokenSet stored = found(key);
        assertThat(stored.version()).isEqualTo(2);
        assertThat(stored.tokens().accessToken()).isEqualTo(newer.accessToken());
        assertThat(stored.tokens().refreshToken()).isEqualTo(newer.refreshToken());
    }

    @Test
    void currentToken_lateAnswerWithNothingNewer_keepsRotatedRefreshToken() throws Exception {
        GrantKey key = newKey("acme");
        String refreshToken = connect(key, expiredAccessToken());
        CountDownLatch gate = new CountDownLatch(1);
        CompletableFuture<Boolean> late = new CompletableFuture<>();
        RefreshCoordinator coordinator = coordinator(gated(gate), Duration.ofMillis(300), late);

        assertThat(coordinator.currentToken(key, SKEW)).isInstanceOf(TokenResult.TemporarilyUnavailable.class);
        gate.countDown();

        assertThat(late.get(ANSWER_WITHIN.toSeconds(), TimeUnit.SECONDS)).isTrue();
        VersionedTokenSet stored = found(key);
        assertThat(stored.version()).isEqualTo(2);
        String rotated = stored.tokens().refreshTokenIfAny().orElseThrow().reveal();
        assertThat(rotated).isNotEqualTo(refreshToken);
        // The rotated token is the live one at the server: it still refreshes.
        RefreshCoordinator next = coordinator(endpoint, RefreshCoordinator.Settings.defaults());
        assertThat(next.refreshAfterRejection(key, stored.tokens().accessToken().sha256()))
                .isInstanceOf(TokenResult.Fresh.class);
        assertThat(idp.refreshCalls("acme", rotated)).isEqualTo(1);
    }

    @Test
    void currentToken_twoTenantsSameUserAndResource_refreshIndependently() throws Exception {
        String user = "user-" + UUID.randomUUID();
        GrantKey acme = GrantKey.of("acme", user, RESOURCE);
        GrantKey globex = GrantKey.of("globex", user, RESOURCE);
        String acmeRefresh = connect(acme, expiredAccessToken());
        String globexRefresh = connect(globex, expiredAccessToken());
        RefreshCoordinator coordinator = coordinator(endpoint, RefreshCoordinator.Settings.defaults());
        AtomicInteger turn = new AtomicInteger();

        List<TokenResult> results = concurrently(
                100, () -> coordinator.currentToken(turn.incrementAndGet() % 2 == 0 ? acme : globex, SKEW));

        assertThat(results).allSatisfy(result -> assertThat(result).isInstanceOf(TokenResult.Fresh.class));
        assertThat(idp.refreshCalls("acme", acmeRefresh)).isEqualTo(1);
        assertThat(idp.refreshCalls("globex", globexRefresh)).isEqualTo(1);
        assertThat(issuerOf(found(acme))).isEqualTo(idp.issuer("acme"));
        assertThat(issuerOf(found(globex))).isEqualTo(idp.issuer("globex"));
        for (TokenResult result : results) {
            VersionedTokenSet grant = ((TokenResult.Fresh) result).grant();
            assertThat(grant.tokens().accessToken())
                    .isEqualTo(found(grant.key()).tokens().accessToken());
        }
    }

    private RefreshCoordinator coordinator(TokenEndpoint tokens, RefreshCoordinator.Settings settings) {
        return new RefreshCoordinator(
                store,
                lease,
                tokens,
                Clock.systemUTC(),
                "replica-" + UUID.randomUUID(),
                settings,
                RefreshCoordinator.Listener.NONE);
    }

    private RefreshCoordinator coordinator(TokenEndpoint tokens, Duration deadline, CompletableFuture<Boolean> late) {
        return new RefreshCoordinator(
                store,
                lease,
                tokens,
                Clock.systemUTC(),
                "replica-" + UUID.randomUUID(),
                RefreshCoordinator.Settings.withDeadline(deadline),
                new RefreshCoordinator.Listener() {
                    @Override
                    public void lateAnswer(GrantKey key, boolean stored) {
                        late.complete(stored);
                    }
                });
    }

    /**
     * The real endpoint behind a gate that ignores cancellation, like an HTTP stack that does not
     * honour interrupts: its answer arrives only after the coordinator's deadline.
     */
    private TokenEndpoint gated(CountDownLatch gate) {
        return (key, refreshToken, deadline) -> {
            boolean passed = false;
            while (!passed) {
                try {
                    gate.await();
                    passed = true;
                } catch (InterruptedException cancelled) {
                    // Deliberately ignored: this stack does not honour cancellation.
                }
            }
            return endpoint.refresh(key, refreshToken, Duration.ofSeconds(10));
        };
    }

    private static GrantKey newKey(String tenant) {
        return GrantKey.of(tenant, "user-" + UUID.randomUUID(), RESOURCE);
    }

    private static TokenSet expiredAccessToken() {
        return new TokenSet(
                Secret.of("at-expired-" + UUID.randomUUID()),
                null,
                "Bearer",
                Set.of(),
                Instant.now().minusSeconds(3600));
    }

    /** Connects {@code key} the real way (see {@link ConnectedGrants}); returns the refresh token. */
    private String connect(GrantKey key, TokenSet template) throws Exception {
        return new ConnectedGrants(idp, store).connect(key, template);
    }

    private VersionedTokenSet found(GrantKey key) {
        GrantLookup lookup = store.find(key);
        assertThat(lookup).isInstanceOf(GrantLookup.Found.class);
        return ((GrantLookup.Found) lookup).grant();
    }

    private static String issuerOf(VersionedTokenSet grant) throws Exception {
        return SignedJWT.parse(grant.tokens().accessToken().reveal())
                .getJWTClaimsSet()
                .getIssuer();
    }

    /** Runs {@code count} calls at once behind a start gate; returns their results. */
    private static <T> List<T> concurrently(int count, Callable<T> call) throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        List<Future<T>> futures = new ArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < count; i++) {
                futures.add(threads.submit(() -> {
                    start.await();
                    return call.call();
                }));
            }
            start.countDown();
            List<T> results = new ArrayList<>();
            for (Future<T> future : futures) {
                results.add(future.get(ANSWER_WITHIN.toSeconds(), TimeUnit.SECONDS));
            }
            return results;
        }
    }

    private static <T> List<T> concat(List<T> first, List<T> second) {
        List<T> all = new ArrayList<>(first);
        all.addAll(second);
        return all;
    }
}
