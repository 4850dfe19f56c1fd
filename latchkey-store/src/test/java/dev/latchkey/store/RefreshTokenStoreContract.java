package dev.latchkey.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.latchkey.core.grant.Ciphertext;
import dev.latchkey.core.identity.UserId;
import dev.latchkey.core.secret.Secret;
import dev.latchkey.core.session.FamilyId;
import dev.latchkey.core.session.RefreshFamily;
import dev.latchkey.core.session.RefreshTokenStore.Presented;
import dev.latchkey.core.session.StoredRefreshToken;
import dev.latchkey.core.tenant.TenantId;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The {@link JdbcRefreshTokenStore} contract (DESIGN.md C4, security cases C4-05, C4-06, C4-11,
 * C4-12), run against each database by a subclass: rotation spends a token exactly once, a spent
 * token or a revoked family never rotates, revocations stay inside their tenant and keep the first
 * reason, and the purge removes dead families with their tokens.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class RefreshTokenStoreContract {
    private static final TenantId ACME = TenantId.of("acme");
    private static final TenantId GLOBEX = TenantId.of("globex");
    private static final UserId ALICE = UserId.of("alice");
    private static final UserId BOB = UserId.of("bob");
    // Whole seconds: both databases store them exactly.
    private static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
    private static final Instant T1 = T0.plusSeconds(60);
    private static final Instant T2 = T0.plusSeconds(120);
    private static final String BROWSER_SESSION = Secret.sha256Hex("browser-session-1");
    private static final int RACERS = 32;
    private static final int ROUNDS = 5;

    @SuppressWarnings("NullAway.Init")
    private TestDatabase database;

    @SuppressWarnings("NullAway.Init")
    private JdbcRefreshTokenStore store;

    protected abstract TestDatabase openDatabase();

    @BeforeAll
    void open() {
        database = openDatabase();
        store = new JdbcRefreshTokenStore(database.dataSource());
    }

    @AfterAll
    void close() {
        database.close();
    }

    @BeforeEach
    void clear() {
        database.update("DELETE FROM refresh_tokens");
        database.update("DELETE FROM refresh_families");
    }

    @Test
    void create_thenFind_returnsGenerationZeroUnspentWithItsFamily() {
        RefreshFamily family = RefreshFamily.create(ACME, FamilyId.random(), ALICE, BROWSER_SESSION, T0);
        String first = hash("rt-0");

        store.create(family, first);

        assertThat(store.find(ACME, first))
                .hasValue(new Presented(new StoredRefreshToken(first, family.id(), 0, T0, null, null, null), family));
        assertThat(store.family(ACME, family.id())).hasValue(family);
    }

    @Test
    void create_withoutBrowserSession_roundTripsNull() {
        RefreshFamily family = RefreshFamily.create(ACME, FamilyId.random(), ALICE, null, T0);

        store.create(family, hash("rt-0"));

        assertThat(store.family(ACME, family.id())).hasValue(family);
        assertThat(store.find(ACME, hash("rt-0"))).map(Presented::family).hasValue(family);
    }

    @Test
    void find_unknownHash_isEmpty() {
        store.create(RefreshFamily.create(ACME, FamilyId.random(), ALICE, null, T0), hash("rt-0"));

        assertThat(store.find(ACME, hash("rt-other"))).isEmpty();
        assertThat(store.family(ACME, FamilyId.random())).isEmpty();
    }

    @Test
    void find_inAnotherTenant_isEmpty() {
        RefreshFamily family = RefreshFamily.create(ACME, FamilyId.random(), ALICE, BROWSER_SESSION, T0);
        store.create(family, hash("rt-0"));

        assertThat(store.find(GLOBEX, hash("rt-0"))).isEmpty();
        assertThat(store.family(GLOBEX, family.id())).isEmpty();
    }

    @Test
    void rotate_spendsTheToken_storesTheNextGeneration_andMovesLastUse() {
        RefreshFamily family = RefreshFamily.create(ACME, FamilyId.random(), ALICE, BROWSER_SESSION, T0);
        store.create(family, hash("rt-0"));

        assertThat(store.rotate(ACME, hash("rt-0"), hash("rt-1"), sealed("rt-1"), "client-a", T1))
                .isTrue();

        RefreshFamily used = withLastUse(family, T1);
        assertThat(store.find(ACME, hash("rt-0")))
                .hasValue(new Presented(
                        new StoredRefreshToken(hash("rt-0"), family.id(), 0, T0, T1, "client-a", sealed("rt-1")),
                        used));
        assertThat(store.find(ACME, hash("rt-1")))
                .hasValue(new Presented(
                        new StoredRefreshToken(hash("rt-1"), family.id(), 1, T1, null, null, null), used));

        assertThat(store.rotate(ACME, hash("rt-1"), hash("rt-2"), sealed("rt-2"), "client-a", T2))
                .isTrue();

        assertThat(store.find(ACME, hash("rt-2")))
                .map(Presented::token)
                .hasValue(new StoredRefreshToken(hash("rt-2"), family.id(), 2, T2, null, null, null));
        assertThat(store.family(ACME, family.id())).hasValue(withLastUse(family, T2));
        assertThat(tokensOf(ACME, family.id())).isEqualTo(3);
    }

    @Test
    void rotate_spentToken_returnsFalseAndChangesNothing() {
        RefreshFamily family = RefreshFamily.create(ACME, FamilyId.random(), ALICE, null, T0);
        store.create(family, hash("rt-0"));
        store.rotate(ACME, hash("rt-0"), hash("rt-1"), sealed("rt-1"), "client-a", T1);
        Presented before = store.find(ACME, hash("rt-0")).orElseThrow();

        assertThat(store.rotate(ACME, hash("rt-0"), hash("rt-x"), sealed("rt-x"), "client-b", T2))
                .isFalse();

        assertThat(store.find(ACME, hash("rt-0"))).hasValue(before);
        assertThat(store.find(ACME, hash("rt-x"))).isEmpty();
        assertThat(store.family(ACME, family.id())).hasValue(withLastUse(family, T1));
        assertThat(tokensOf(ACME, family.id())).isEqualTo(2);
    }

    @Test
    void rotate_inRevokedFamily_returnsFalseAndChangesNothing() {
        RefreshFamily family = RefreshFamily.create(ACME, FamilyId.random(), ALICE, null, T0);
        store.create(family, hash("rt-0"));
        store.revoke(ACME, family.id(), "refresh_token_reuse", T1);

        assertThat(store.rotate(ACME, hash("rt-0"), hash("rt-1"), sealed("rt-1"), "client-a", T2))
                .isFalse();

        assertThat(store.find(ACME, hash("rt-0")))
                .map(Presented::token)
                .hasValue(new StoredRefreshToken(hash("rt-0"), family.id(), 0, T0, null, null, null));
        assertThat(store.find(ACME, hash("rt-1"))).isEmpty();
        assertThat(store.family(ACME, family.id()))
                .map(RefreshFamily::lastUsedAt)
                .hasValue(T0);
    }

    @Test
    void rotate_inAnotherTenant_returnsFalseAndLeavesTheTokenUsable() {
        RefreshFamily family = RefreshFamily.create(ACME, FamilyId.random(), ALICE, null, T0);
        store.create(family, hash("rt-0"));

        assertThat(store.rotate(GLOBEX, hash("rt-0"), hash("rt-1"), sealed("rt-1"), "client-a", T1))
                .isFalse();

        assertThat(store.find(GLOBEX, hash("rt-1"))).isEmpty();
        assertThat(store.find(ACME, hash("rt-1"))).isEmpty();
        assertThat(store.rotate(ACME, hash("rt-0"), hash("rt-1"), sealed("rt-1"), "client-a", T1))
                .isTrue();
    }

    /**
     * C4-06 at the storage level: of many replicas rotating one token at once, exactly one wins, and
     * what is stored is the winner's rotation only — one successor, spent by the winner's client,
     * sealing the winner's successor.
     */
    @Test
    void rotate_racingCallers_exactlyOneWins_andOnlyItsSuccessorExists() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            RefreshFamily family = RefreshFamily.create(ACME, FamilyId.random(), ALICE, null, T0);
            String presented = hash("round-" + round);
            store.create(family, presented);
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Boolean>> results = new ArrayList<>();
            try (ExecutorService replicas = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < RACERS; i++) {
                    String successor = racerSuccessor(round, i);
                    String client = "client-" + i;
                    results.add(replicas.submit(() -> {
                        assertThat(start.await(30, TimeUnit.SECONDS)).isTrue();
                        return store.rotate(ACME, presented, hash(successor), sealed(successor), client, T1);
                    }));
                }
                start.countDown();
                List<Integer> winners = new ArrayList<>();
                for (int i = 0; i < RACERS; i++) {
                    if (results.get(i).get(60, TimeUnit.SECONDS)) {
                        winners.add(i);
                    }
                }

                assertThat(winners).as("round %d", round).hasSize(1);
                int winner = winners.getFirst();
                String successor = racerSuccessor(round, winner);
                assertThat(store.find(ACME, presented))
                        .map(Presented::token)
                        .hasValue(new StoredRefreshToken(
                                presented, family.id(), 0, T0, T1, "client-" + winner, sealed(successor)));
                assertThat(store.find(ACME, hash(successor)))
                        .map(Presented::token)
                        .hasValue(new StoredRefreshToken(hash(successor), family.id(), 1, T1, null, null, null));
                assertThat(tokensOf(ACME, family.id())).as("round %d", round).isEqualTo(2);
            }
        }
    }

    @Test
    void revoke_isIdempotent_andKeepsTheFirstReason() {
        RefreshFamily family = RefreshFamily.create(ACME, FamilyId.random(), ALICE, null, T0);
        store.create(family, hash("rt-0"));

        assertThat(store.revoke(ACME, family.id(), "logout", T1)).isTrue();
        assertThat(store.revoke(ACME, family.id(), "refresh_token_reuse", T2)).isFalse();

        assertThat(store.family(ACME, family.id())).hasValue(revoked(family, T1, "logout"));
        assertThat(store.find(ACME, hash("rt-0"))).map(Presented::family).hasValue(revoked(family, T1, "logout"));
    }

    @Test
    void revoke_unknownOrOtherTenantsFamily_changesNothing() {
        RefreshFamily family = RefreshFamily.create(ACME, FamilyId.random(), ALICE, null, T0);
        store.create(family, hash("rt-0"));

        assertThat(store.revoke(GLOBEX, family.id(), "logout", T1)).isFalse();
        assertThat(store.revoke(ACME, FamilyId.random(), "logout", T1)).isFalse();

        assertThat(store.family(ACME, family.id())).hasValue(family);
    }

    @Test
    void revokeUser_revokesOnlyThatUsersLiveFamiliesInThatTenant() {
        RefreshFamily first = created(ACME, ALICE, null, "a1");
        RefreshFamily second = created(ACME, ALICE, BROWSER_SESSION, "a2");
        RefreshFamily alreadyRevoked = created(ACME, ALICE, null, "a3");
        store.revoke(ACME, alreadyRevoked.id(), "refresh_token_reuse", T1);
        RefreshFamily bob = created(ACME, BOB, null, "b1");
        RefreshFamily otherTenant = created(GLOBEX, ALICE, null, "g1");
        // The same family id in the other tenant is another family.
        RefreshFamily sameIdOtherTenant = RefreshFamily.create(GLOBEX, first.id(), ALICE, null, T0);
        store.create(sameIdOtherTenant, hash("g2"));

        assertThat(store.revokeUser(ACME, ALICE, "user_disabled", T2)).isEqualTo(2);

        assertThat(store.family(ACME, first.id())).hasValue(revoked(first, T2, "user_disabled"));
        assertThat(store.family(ACME, second.id())).hasValue(revoked(second, T2, "user_disabled"));
        assertThat(store.family(ACME, alreadyRevoked.id()))
                .hasValue(revoked(alreadyRevoked, T1, "refresh_token_reuse"));
        assertThat(store.family(ACME, bob.id())).hasValue(bob);
        assertThat(store.family(GLOBEX, otherTenant.id())).hasValue(otherTenant);
        assertThat(store.family(GLOBEX, first.id())).hasValue(sameIdOtherTenant);
        assertThat(store.revokeUser(ACME, ALICE, "user_disabled", T2)).isZero();
    }

    @Test
    void revokeBrowserSession_revokesOnlyThatSessionsLiveFamiliesInThatTenant() {
        String otherSession = Secret.sha256Hex("browser-session-2");
        RefreshFamily first = created(ACME, ALICE, BROWSER_SESSION, "a1");
        RefreshFamily second = created(ACME, ALICE, BROWSER_SESSION, "a2");
        RefreshFamily alreadyRevoked = created(ACME, ALICE, BROWSER_SESSION, "a3");
        store.revoke(ACME, alreadyRevoked.id(), "logout", T1);
        RefreshFamily otherSessionFamily = created(ACME, ALICE, otherSession, "a4");
        RefreshFamily noSession = created(ACME, ALICE, null, "a5");
        RefreshFamily otherTenant = created(GLOBEX, ALICE, BROWSER_SESSION, "g1");

        assertThat(store.revokeBrowserSession(ACME, BROWSER_SESSION, "backchannel_logout", T2))
                .isEqualTo(2);

        assertThat(store.family(ACME, first.id())).hasValue(revoked(first, T2, "backchannel_logout"));
        assertThat(store.family(ACME, second.id())).hasValue(revoked(second, T2, "backchannel_logout"));
        assertThat(store.family(ACME, alreadyRevoked.id())).hasValue(revoked(alreadyRevoked, T1, "logout"));
        assertThat(store.family(ACME, otherSessionFamily.id())).hasValue(otherSessionFamily);
        assertThat(store.family(ACME, noSession.id())).hasValue(noSession);
        assertThat(store.family(GLOBEX, otherTenant.id())).hasValue(otherTenant);
    }

    @Test
    void purge_deletesFamiliesCreatedOrIdleBefore_withTheirTokens_andKeepsTheRest() {
        Instant createdBefore = T0.minus(Duration.ofDays(30));
        Instant idleBefore = T0.minus(Duration.ofDays(7));
        // Too old, though used just now (C4-12 absolute limit); it has two tokens after a rotation.
        RefreshFamily tooOld = family(ACME, createdBefore.minusSeconds(1), createdBefore.minusSeconds(1));
        store.create(tooOld, hash("old-0"));
        store.rotate(ACME, hash("old-0"), hash("old-1"), sealed("old-1"), "client-a", T0);
        // Young enough, but idle too long (C4-12 inactivity limit).
        RefreshFamily idle = family(GLOBEX, idleBefore.minusSeconds(5), idleBefore.minusSeconds(1));
        store.create(idle, hash("idle-0"));
        // Exactly at both limits: not before them.
        RefreshFamily atLimits = family(ACME, createdBefore, idleBefore);
        store.create(atLimits, hash("limit-0"));
        RefreshFamily live = family(ACME, T0.minus(Duration.ofDays(1)), T0);
        store.create(live, hash("live-0"));
        store.rotate(ACME, hash("live-0"), hash("live-1"), sealed("live-1"), "client-a", T0);

        assertThat(store.purge(createdBefore, idleBefore)).isEqualTo(2);

        assertThat(store.family(ACME, tooOld.id())).isEmpty();
        assertThat(store.find(ACME, hash("old-0"))).isEmpty();
        assertThat(store.find(ACME, hash("old-1"))).isEmpty();
        assertThat(tokensOf(ACME, tooOld.id())).isZero();
        assertThat(store.family(GLOBEX, idle.id())).isEmpty();
        assertThat(tokensOf(GLOBEX, idle.id())).isZero();
        assertThat(store.family(ACME, atLimits.id())).hasValue(atLimits);
        assertThat(store.find(ACME, hash("limit-0"))).isPresent();
        assertThat(store.family(ACME, live.id())).hasValue(withLastUse(live, T0));
        assertThat(tokensOf(ACME, live.id())).isEqualTo(2);
        assertThat(store.purge(createdBefore, idleBefore)).isZero();
    }

    private RefreshFamily created(TenantId tenant, UserId user, @Nullable String browserSession, String firstToken) {
        RefreshFamily family = RefreshFamily.create(tenant, FamilyId.random(), user, browserSession, T0);
        store.create(family, hash(tenant.value() + "." + firstToken));
        return family;
    }

    private static RefreshFamily family(TenantId tenant, Instant createdAt, Instant lastUsedAt) {
        return new RefreshFamily(tenant, FamilyId.random(), ALICE, null, createdAt, lastUsedAt, null, null);
    }

    private static RefreshFamily withLastUse(RefreshFamily family, Instant lastUsedAt) {
        return new RefreshFamily(
                family.tenant(),
                family.id(),
                family.user(),
                family.browserSession(),
                family.createdAt(),
                lastUsedAt,
                family.revokedAt(),
                family.revokedReason());
    }

    private static RefreshFamily revoked(RefreshFamily family, Instant at, String reason) {
        return new RefreshFamily(
                family.tenant(),
                family.id(),
                family.user(),
                family.browserSession(),
                family.createdAt(),
                family.lastUsedAt(),
                at,
                reason);
    }

    private static String racerSuccessor(int round, int racer) {
        return "round-" + round + "-successor-" + racer;
    }

    private static String hash(String token) {
        return Secret.sha256Hex(token);
    }

    private static Ciphertext sealed(String token) {
        return Ciphertext.of(("sealed:" + token).getBytes(StandardCharsets.UTF_8));
    }

    /** How many token rows the family has, read directly so that a stray successor cannot hide. */
    private long tokensOf(TenantId tenant, FamilyId family) {
        try (Connection connection = database.dataSource().getConnection();
                PreparedStatement count = connection.prepareStatement(
                        "SELECT count(*) FROM refresh_tokens WHERE tenant = ? AND family = ?")) {
            count.setString(1, tenant.value());
            count.setString(2, family.value());
            try (ResultSet row = count.executeQuery()) {
                row.next();
                return row.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
