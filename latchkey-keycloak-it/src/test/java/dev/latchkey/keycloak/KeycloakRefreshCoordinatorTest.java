package dev.latchkey.keycloak;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jwt.JWTParser;
import com.nimbusds.oauth2.sdk.AccessTokenResponse;
import com.nimbusds.oauth2.sdk.ErrorObject;
import com.nimbusds.oauth2.sdk.RefreshTokenGrant;
import com.nimbusds.oauth2.sdk.ResourceOwnerPasswordCredentialsGrant;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.token.RefreshToken;
import dev.latchkey.core.crypto.Keyset;
import dev.latchkey.core.crypto.TinkCipher;
import dev.latchkey.core.grant.EncryptedTokenStore;
import dev.latchkey.core.grant.GrantKey;
import dev.latchkey.core.grant.GrantLookup;
import dev.latchkey.core.grant.NimbusTokenEndpoint;
import dev.latchkey.core.grant.RefreshCoordinator;
import dev.latchkey.core.grant.StoreResult;
import dev.latchkey.core.grant.TokenResult;
import dev.latchkey.core.grant.TokenSet;
import dev.latchkey.core.grant.VersionedTokenSet;
import dev.latchkey.core.secret.Secret;
import dev.latchkey.keycloak.KeycloakServer.RefreshEvent;
import dev.latchkey.store.Database;
import dev.latchkey.store.DatabaseSettings;
import dev.latchkey.store.JdbcGrantLease;
import dev.latchkey.store.JdbcSealedTokenStore;
import dev.latchkey.testkit.MutableClock;
import dev.latchkey.testkit.PostgresDatabase;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The {@link RefreshCoordinator} against a real Keycloak whose realm rotates refresh tokens and
 * refuses a second redemption ({@code revokeRefreshToken: true}, {@code refreshTokenMaxReuse: 0},
 * which also revokes the session's refresh tokens), with grants stored encrypted in real
 * PostgreSQL. Three replicas share the database, each with its own connection pool, store, lease
 * and token endpoint. Every assertion is on what Keycloak recorded (its admin events, per user
 * session: which refresh token each refresh redeemed and which one it issued) and on what is
 * stored; time is a clock the test moves, so the access tokens expire when the test says.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KeycloakRefreshCoordinatorTest {
    private static final String REALM = "latchkey-it";
    private static final String CLIENT_ID = "latchkey";
    private static final String CLIENT_SECRET = "latchkey-it-client-secret";
    private static final String USERNAME = "ada";
    private static final String PASSWORD = "ada-it-password";
    private static final String RESOURCE = "keycloak-api";
    private static final int REPLICAS = 3;
    private static final Duration SKEW = Duration.ofSeconds(10);
    // Longer than the realm's 120 s access token lifespan: moving the clock this far makes the
    // stored access token stale.
    private static final Duration PAST_EXPIRY = Duration.ofMinutes(5);
    private static final Duration ANSWER_WITHIN = Duration.ofSeconds(60);

    private final MutableClock clock = new MutableClock(Instant.now());
    private final List<Replica> replicas = new ArrayList<>();
    private KeycloakServer keycloak;
    private PostgresDatabase postgres;

    @BeforeAll
    void start() throws Exception {
        keycloak = KeycloakServer.start(REALM, "/" + REALM + "-realm.json");
        System.out.println("Keycloak ready in " + keycloak.startTime().toMillis() + " ms, log " + keycloak.log());
        postgres = PostgresDatabase.create();
        Keyset keyset = Keyset.generate();
        for (int i = 0; i < REPLICAS; i++) {
            replicas.add(Replica.open(postgres, keyset, keycloak, clock, "replica-" + i));
        }
    }

    @AfterAll
    void stop() {
        replicas.forEach(Replica::close);
        if (postgres != null) {
            postgres.close();
        }
        if (keycloak != null) {
            keycloak.close();
        }
    }

    @Test
    void currentToken_50ConcurrentCallersOnExpiredToken_oneRefreshAtKeycloakAndRotatedTokenKept() throws Exception {
        GrantKey key = newKey();
        Seeded seeded = seed(key);
        clock.advance(PAST_EXPIRY);
        RefreshCoordinator coordinator = replicas.getFirst().coordinator();

        List<TokenResult> results = concurrently(50, i -> () -> coordinator.currentToken(key, SKEW));

        VersionedTokenSet stored = found(key);
        assertThat(stored.version()).isEqualTo(2);
        assertAllFreshWith(results, stored);
        Secret rotated = stored.tokens().refreshTokenIfAny().orElseThrow();
        assertThat(rotated).isNotEqualTo(seeded.refreshToken());
        assertThat(keycloak.refreshEvents(seeded.sessionId()))
                .containsExactly(redeemed(seeded.refreshToken(), rotated));

        // The stored, rotated refresh token is the live one at Keycloak: the next refresh uses it.
        TokenResult next = coordinator.refreshAfterRejection(
                key, stored.tokens().accessToken().sha256());
        VersionedTokenSet after = found(key);
        assertThat(after.version()).isEqualTo(3);
        assertAllFreshWith(List.of(next), after);
        assertThat(keycloak.refreshEvents(seeded.sessionId()))
                .containsExactly(
                        redeemed(seeded.refreshToken(), rotated),
                        redeemed(rotated, after.tokens().refreshTokenIfAny().orElseThrow()));
    }

    @Test
    void currentToken_threeReplicasRacingOverRounds_oneRefreshPerRoundAndNoInvalidGrant() throws Exception {
        GrantKey key = newKey();
        Seeded seeded = seed(key);
        List<Secret> redeemed = new ArrayList<>(List.of(seeded.refreshToken()));

        for (int round = 1; round <= 5; round++) {
            clock.advance(PAST_EXPIRY);

            List<TokenResult> results = concurrently(
                    90, i -> () -> replicas.get(i % REPLICAS).coordinator().currentToken(key, SKEW));

            VersionedTokenSet stored = found(key);
            assertThat(stored.version()).isEqualTo(1 + round);
            assertAllFreshWith(results, stored);
            redeemed.add(stored.tokens().refreshTokenIfAny().orElseThrow());
            assertThat(keycloak.refreshEvents(seeded.sessionId())).containsExactlyElementsOf(chain(redeemed));
        }
    }

    @Test
    void refreshAfterRejection_stormAcrossReplicasOverRounds_oneRefreshPerRoundAndNeverAuthorizationRequired()
            throws Exception {
        GrantKey key = newKey();
        Seeded seeded = seed(key);
        List<Secret> redeemed = new ArrayList<>(List.of(seeded.refreshToken()));

        for (int round = 1; round <= 5; round++) {
            String rejected = found(key).tokens().accessToken().sha256();

            List<TokenResult> storm = concurrently(
                    90, i -> () -> replicas.get(i % REPLICAS).coordinator().refreshAfterRejection(key, rejected));
            // Callers that still held the rejected token report it again later: no new refresh.
            List<TokenResult> stragglers = concurrently(
                    30, i -> () -> replicas.get(i % REPLICAS).coordinator().refreshAfterRejection(key, rejected));

            VersionedTokenSet stored = found(key);
            assertThat(stored.version()).isEqualTo(1 + round);
            assertAllFreshWith(storm, stored);
            assertAllFreshWith(stragglers, stored);
            redeemed.add(stored.tokens().refreshTokenIfAny().orElseThrow());
            assertThat(keycloak.refreshEvents(seeded.sessionId())).containsExactlyElementsOf(chain(redeemed));
        }
    }

    /** Without this, the tests above would pass against a server that tolerates reuse. */
    @Test
    void spentRefreshToken_redeemedAgain_keycloakRefusesWithInvalidGrantAndRevokesTheGrant() throws Exception {
        GrantKey key = newKey();
        Seeded seeded = seed(key);
        clock.advance(PAST_EXPIRY);
        RefreshCoordinator coordinator = replicas.getFirst().coordinator();
        assertThat(coordinator.currentToken(key, SKEW)).isInstanceOf(TokenResult.Fresh.class);
        VersionedTokenSet stored = found(key);

        TokenResponse reuse = TokenResponse.parse(tokenRequest(new RefreshTokenGrant(
                        new RefreshToken(seeded.refreshToken().reveal())))
                .toHTTPRequest()
                .send());

        assertThat(reuse.indicatesSuccess()).isFalse();
        ErrorObject error = reuse.toErrorResponse().getErrorObject();
        assertThat(error.getCode()).isEqualTo("invalid_grant");
        List<RefreshEvent> events = keycloak.refreshEvents(seeded.sessionId());
        assertThat(events).hasSize(2);
        assertThat(events.getFirst())
                .isEqualTo(redeemed(
                        seeded.refreshToken(),
                        stored.tokens().refreshTokenIfAny().orElseThrow()));
        assertThat(events.getLast().succeeded()).isFalse();
        assertThat(events.getLast().refreshTokenId()).isEqualTo(jti(seeded.refreshToken()));
        // The reuse cost the whole grant: even the rotated token Latchkey holds is now refused,
        // which is why two redemptions of one refresh token must never happen.
        assertThat(coordinator.refreshAfterRejection(
                        key, stored.tokens().accessToken().sha256()))
                .isEqualTo(new TokenResult.AuthorizationRequired("invalid_grant"));
        assertThat(replicas.getFirst().store().find(key)).isInstanceOf(GrantLookup.Missing.class);
    }

    /** A grant seeded the real way, as the test user signing in with the password grant. */
    private record Seeded(String sessionId, Secret refreshToken) {}

    /**
     * Signs the test user in (a new Keycloak session each time) and stores the token set under
     * {@code key} with the access token's real lifetime on the test clock.
     */
    private Seeded seed(GrantKey key) throws Exception {
        TokenResponse response = TokenResponse.parse(tokenRequest(new ResourceOwnerPasswordCredentialsGrant(
                        USERNAME, new com.nimbusds.oauth2.sdk.auth.Secret(PASSWORD)))
                .toHTTPRequest()
                .send());
        assertThat(response.indicatesSuccess())
                .as("password grant for the test user")
                .isTrue();
        AccessTokenResponse success = response.toSuccessResponse();
        RefreshToken refreshToken = success.getTokens().getRefreshToken();
        assertThat(refreshToken).isNotNull();
        TokenSet tokens = new TokenSet(
                Secret.of(success.getTokens().getAccessToken().getValue()),
                Secret.of(refreshToken.getValue()),
                "Bearer",
                Set.of(),
                clock.instant().plusSeconds(success.getTokens().getAccessToken().getLifetime()));
        assertThat(replicas.getFirst().store().compareAndSet(key, 0, tokens)).isInstanceOf(StoreResult.Stored.class);
        String sessionId =
                JWTParser.parse(tokens.accessToken().reveal()).getJWTClaimsSet().getStringClaim("sid");
        assertThat(sessionId).isNotBlank();
        return new Seeded(sessionId, Secret.of(refreshToken.getValue()));
    }

    private TokenRequest tokenRequest(com.nimbusds.oauth2.sdk.AuthorizationGrant grant) {
        return new TokenRequest.Builder(
                        keycloak.tokenEndpoint(),
                        new ClientSecretBasic(
                                new ClientID(CLIENT_ID), new com.nimbusds.oauth2.sdk.auth.Secret(CLIENT_SECRET)),
                        grant)
                .scope(new Scope("openid"))
                .build();
    }

    /** The refresh events of a chain of refresh tokens, each redeemed once for the next. */
    private static List<RefreshEvent> chain(List<Secret> refreshTokens) throws Exception {
        List<RefreshEvent> events = new ArrayList<>();
        for (int i = 1; i < refreshTokens.size(); i++) {
            events.add(redeemed(refreshTokens.get(i - 1), refreshTokens.get(i)));
        }
        return events;
    }

    private static RefreshEvent redeemed(Secret presented, Secret issued) throws Exception {
        return new RefreshEvent(true, jti(presented), jti(issued), "");
    }

    /** Keycloak's refresh tokens are JWTs; events name them by {@code jti}. */
    private static String jti(Secret refreshToken) throws Exception {
        return JWTParser.parse(refreshToken.reveal()).getJWTClaimsSet().getJWTID();
    }

    private VersionedTokenSet found(GrantKey key) {
        GrantLookup lookup = replicas.getFirst().store().find(key);
        assertThat(lookup).isInstanceOf(GrantLookup.Found.class);
        return ((GrantLookup.Found) lookup).grant();
    }

    /** Every caller got the stored token set: the same version, access token and refresh token. */
    private static void assertAllFreshWith(List<TokenResult> results, VersionedTokenSet stored) {
        assertThat(results)
                .allSatisfy(result -> assertThat(result).isInstanceOfSatisfying(TokenResult.Fresh.class, fresh -> {
                    assertThat(fresh.grant().version()).isEqualTo(stored.version());
                    assertThat(fresh.grant().tokens().accessToken())
                            .isEqualTo(stored.tokens().accessToken());
                    assertThat(fresh.grant().tokens().refreshToken())
                            .isEqualTo(stored.tokens().refreshToken());
                }));
    }

    private static GrantKey newKey() {
        return GrantKey.of("acme", "user-" + UUID.randomUUID(), RESOURCE);
    }

    /** Runs {@code count} calls at once behind a start gate; returns their results in order. */
    private static <T> List<T> concurrently(int count, IntFunction<Callable<T>> call) throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        List<Future<T>> futures = new ArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < count; i++) {
                Callable<T> one = call.apply(i);
                futures.add(threads.submit(() -> {
                    start.await();
                    return one.call();
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

    /**
     * One simulated Latchkey replica: its own connection pool to the shared database, its own
     * encrypted store (same keyset), lease, token endpoint and coordinator.
     */
    private record Replica(Database database, EncryptedTokenStore store, RefreshCoordinator coordinator) {
        static Replica open(
                PostgresDatabase postgres, Keyset keyset, KeycloakServer keycloak, MutableClock clock, String owner)
                throws Exception {
            Database database =
                    Database.open(DatabaseSettings.of(postgres.jdbcUrl()).withCredentials(postgres.user(), null));
            EncryptedTokenStore store = new EncryptedTokenStore(
                    new JdbcSealedTokenStore(database.dataSource()),
                    TinkCipher.of(keyset),
                    EncryptedTokenStore.Listener.NONE);
            NimbusTokenEndpoint endpoint = new NimbusTokenEndpoint(
                    key -> Optional.of(new NimbusTokenEndpoint.Client(
                            keycloak.tokenEndpoint(), CLIENT_ID, Secret.of(CLIENT_SECRET))),
                    clock);
            RefreshCoordinator coordinator = new RefreshCoordinator(
                    store,
                    new JdbcGrantLease(database.dataSource()),
                    endpoint,
                    clock,
                    owner + "-" + UUID.randomUUID(),
                    RefreshCoordinator.Settings.defaults(),
                    RefreshCoordinator.Listener.NONE);
            return new Replica(database, store, coordinator);
        }

        void close() {
            database.close();
        }
    }
}
