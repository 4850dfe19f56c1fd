package dev.latchkey.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.latchkey.core.grant.Ciphertext;
import dev.latchkey.core.identity.UserId;
import dev.latchkey.core.secret.Secret;
import dev.latchkey.core.session.BrowserSession;
import dev.latchkey.core.tenant.TenantId;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
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
 * The {@link JdbcBrowserSessionStore} contract (DESIGN.md C3), run against each database by a
 * subclass: every field round-trips, a session is unknown in every other tenant, its last activity
 * only moves forward, each way of ending sessions ends exactly the sessions it names and reports
 * each ended session to one caller only, the purge removes dead sessions only, and of replicas
 * racing to refresh a session's IdP tokens one holds the claim until it lapses or the tokens are
 * stored.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class BrowserSessionStoreContract {
    private static final TenantId ACME = TenantId.of("acme");
    private static final TenantId GLOBEX = TenantId.of("globex");
    private static final UserId ALICE = UserId.of("alice");
    private static final UserId BOB = UserId.of("bob");
    private static final String ISSUER = "https://idp.acme.test/realms/main";
    private static final String OTHER_ISSUER = "https://login.other-idp.test";
    private static final String SID = "idp-session-1";
    private static final String SUBJECT = "f3b2c1d0-alice";
    // Whole seconds: both databases store them exactly.
    private static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
    private static final Instant T1 = T0.plusSeconds(60);
    private static final Instant T2 = T0.plusSeconds(120);
    private static final Instant EXPIRES = T0.plus(Duration.ofHours(8));
    private static final Instant IDP_EXPIRES = T0.plusSeconds(300);
    private static final int DELETERS = 16;
    private static final int RACERS = 32;
    private static final int ROUNDS = 5;

    @SuppressWarnings("NullAway.Init")
    private TestDatabase database;

    @SuppressWarnings("NullAway.Init")
    private JdbcBrowserSessionStore store;

    protected abstract TestDatabase openDatabase();

    @BeforeAll
    void open() {
        database = openDatabase();
        store = new JdbcBrowserSessionStore(database.dataSource());
    }

    @AfterAll
    void close() {
        database.close();
    }

    @BeforeEach
    void clear() {
        database.update("DELETE FROM browser_sessions");
    }

    @Test
    void create_thenFind_returnsEveryField() {
        // Every instant differs, so that two swapped columns cannot round-trip by accident.
        BrowserSession session = new BrowserSession(
                ACME,
                hash("session-1"),
                ALICE,
                T0,
                T1,
                EXPIRES,
                ISSUER,
                SID,
                SUBJECT,
                sealed("idp-tokens-1"),
                IDP_EXPIRES);

        store.create(session);

        assertThat(store.find(ACME, session.idHash())).hasValue(session);
    }

    @Test
    void create_withoutSidOrIdpExpiry_roundTripsNulls() {
        BrowserSession session = new BrowserSession(
                ACME, hash("session-1"), ALICE, T0, T1, EXPIRES, ISSUER, null, SUBJECT, sealed("idp-tokens-1"), null);

        store.create(session);

        assertThat(store.find(ACME, session.idHash())).hasValue(session);
    }

    @Test
    void find_unknownHash_isEmpty() {
        store.create(session(ACME, "session-1", ALICE, ISSUER, SID, SUBJECT));

        assertThat(store.find(ACME, hash("session-2"))).isEmpty();
    }

    @Test
    void find_inAnotherTenant_isEmpty() {
        BrowserSession session = session(ACME, "session-1", ALICE, ISSUER, SID, SUBJECT);
        store.create(session);

        assertThat(store.find(GLOBEX, session.idHash())).isEmpty();
    }

    @Test
    void create_sameHashInTwoTenants_areTwoSessions() {
        BrowserSession acme = session(ACME, "session-1", ALICE, ISSUER, SID, SUBJECT);
        BrowserSession globex = new BrowserSession(
                GLOBEX, acme.idHash(), BOB, T1, T2, EXPIRES, OTHER_ISSUER, null, "bob", sealed("globex"), null);
        store.create(acme);
        store.create(globex);

        assertThat(store.find(ACME, acme.idHash())).hasValue(acme);
        assertThat(store.find(GLOBEX, acme.idHash())).hasValue(globex);
    }

    @Test
    void touch_movesLastSeenForward_andNeverBack() {
        BrowserSession session = session(ACME, "session-1", ALICE, ISSUER, SID, SUBJECT);
        store.create(session);

        store.touch(ACME, session.idHash(), T2);
        assertThat(store.find(ACME, session.idHash())).hasValue(lastSeen(session, T2));

        // A replica whose request started earlier finishes later: its older instant must not win.
        store.touch(ACME, session.idHash(), T1);
        assertThat(store.find(ACME, session.idHash())).hasValue(lastSeen(session, T2));

        store.touch(ACME, session.idHash(), T2.plusSeconds(60));
        assertThat(store.find(ACME, session.idHash())).hasValue(lastSeen(session, T2.plusSeconds(60)));
    }

    @Test
    void touch_inAnotherTenant_changesNothing() {
        BrowserSession session = session(ACME, "session-1", ALICE, ISSUER, SID, SUBJECT);
        store.create(session);

        store.touch(GLOBEX, session.idHash(), T2);

        assertThat(store.find(ACME, session.idHash())).hasValue(session);
        assertThat(store.find(GLOBEX, session.idHash())).isEmpty();
    }

    @Test
    void delete_returnsTheSessionOnce() {
        BrowserSession session = session(ACME, "session-1", ALICE, ISSUER, SID, SUBJECT);
        BrowserSession other = session(ACME, "session-2", ALICE, ISSUER, SID, SUBJECT);
        store.create(session);
        store.create(other);

        assertThat(store.delete(ACME, session.idHash())).hasValue(session);
        assertThat(store.delete(ACME, session.idHash())).isEmpty();

        assertThat(store.find(ACME, session.idHash())).isEmpty();
        assertThat(store.find(ACME, other.idHash())).hasValue(other);
    }

    @Test
    void delete_inAnotherTenant_isEmpty_andLeavesTheSession() {
        BrowserSession session = session(ACME, "session-1", ALICE, ISSUER, SID, SUBJECT);
        store.create(session);

        assertThat(store.delete(GLOBEX, session.idHash())).isEmpty();

        assertThat(store.find(ACME, session.idHash())).hasValue(session);
    }

    /** Two logouts of one session on two replicas: only one of them may report (and audit) the end. */
    @Test
    void delete_racingCallers_exactlyOneGetsTheSession() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            BrowserSession session = session(ACME, "round-" + round, ALICE, ISSUER, SID, SUBJECT);
            store.create(session);
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Optional<BrowserSession>>> results = new ArrayList<>();
            try (ExecutorService replicas = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < DELETERS; i++) {
                    results.add(replicas.submit(() -> {
                        assertThat(start.await(30, TimeUnit.SECONDS)).isTrue();
                        return store.delete(ACME, session.idHash());
                    }));
                }
                start.countDown();
                List<BrowserSession> ended = new ArrayList<>();
                for (Future<Optional<BrowserSession>> result : results) {
                    result.get(60, TimeUnit.SECONDS).ifPresent(ended::add);
                }

                assertThat(ended).as("round %d", round).containsExactly(session);
                assertThat(store.find(ACME, session.idHash())).isEmpty();
            }
        }
    }

    /** OIDC Back-Channel Logout 1.0 §2.4: a logout token with a sid ends that IdP session only. */
    @Test
    void deleteByIdp_bySid_endsOnlyThatIssuersSidInThatTenant() {
        BrowserSession first = created(ACME, "a1", ALICE, ISSUER, SID, SUBJECT);
        BrowserSession second = created(ACME, "a2", ALICE, ISSUER, SID, SUBJECT);
        BrowserSession otherSid = created(ACME, "a3", ALICE, ISSUER, "idp-session-2", SUBJECT);
        BrowserSession noSid = created(ACME, "a4", ALICE, ISSUER, null, SUBJECT);
        BrowserSession otherIssuer = created(ACME, "a5", ALICE, OTHER_ISSUER, SID, SUBJECT);
        BrowserSession otherTenant = created(GLOBEX, "g1", ALICE, ISSUER, SID, SUBJECT);

        assertThat(store.deleteByIdp(ACME, ISSUER, Optional.of(SID), Optional.of(SUBJECT)))
                .containsExactlyInAnyOrder(first.idHash(), second.idHash());

        assertThat(store.find(ACME, first.idHash())).isEmpty();
        assertThat(store.find(ACME, second.idHash())).isEmpty();
        assertThat(store.find(ACME, otherSid.idHash())).hasValue(otherSid);
        assertThat(store.find(ACME, noSid.idHash())).hasValue(noSid);
        assertThat(store.find(ACME, otherIssuer.idHash())).hasValue(otherIssuer);
        assertThat(store.find(GLOBEX, otherTenant.idHash())).hasValue(otherTenant);
        assertThat(store.deleteByIdp(ACME, ISSUER, Optional.of(SID), Optional.of(SUBJECT)))
                .isEmpty();
    }

    /** OIDC Back-Channel Logout 1.0 §2.4: without a sid, the token ends every session of the subject. */
    @Test
    void deleteByIdp_bySubject_whenSidAbsent_endsThatSubjectsSessionsAtThatIssuerInThatTenant() {
        BrowserSession withSid = created(ACME, "a1", ALICE, ISSUER, SID, SUBJECT);
        BrowserSession withOtherSid = created(ACME, "a2", ALICE, ISSUER, "idp-session-2", SUBJECT);
        BrowserSession withoutSid = created(ACME, "a3", ALICE, ISSUER, null, SUBJECT);
        BrowserSession otherSubject = created(ACME, "b1", BOB, ISSUER, "idp-session-3", "c4d5e6f7-bob");
        BrowserSession otherIssuer = created(ACME, "a4", ALICE, OTHER_ISSUER, SID, SUBJECT);
        BrowserSession otherTenant = created(GLOBEX, "g1", ALICE, ISSUER, SID, SUBJECT);

        assertThat(store.deleteByIdp(ACME, ISSUER, Optional.empty(), Optional.of(SUBJECT)))
                .containsExactlyInAnyOrder(withSid.idHash(), withOtherSid.idHash(), withoutSid.idHash());

        assertThat(store.find(ACME, withSid.idHash())).isEmpty();
        assertThat(store.find(ACME, withOtherSid.idHash())).isEmpty();
        assertThat(store.find(ACME, withoutSid.idHash())).isEmpty();
        assertThat(store.find(ACME, otherSubject.idHash())).hasValue(otherSubject);
        assertThat(store.find(ACME, otherIssuer.idHash())).hasValue(otherIssuer);
        assertThat(store.find(GLOBEX, otherTenant.idHash())).hasValue(otherTenant);
        assertThat(store.deleteByIdp(ACME, ISSUER, Optional.empty(), Optional.of(SUBJECT)))
                .isEmpty();
    }

    @Test
    void deleteByIdp_withNeitherSidNorSubject_endsNothing() {
        BrowserSession withSid = created(ACME, "a1", ALICE, ISSUER, SID, SUBJECT);
        BrowserSession withoutSid = created(ACME, "a2", ALICE, ISSUER, null, SUBJECT);

        assertThat(store.deleteByIdp(ACME, ISSUER, Optional.empty(), Optional.empty()))
                .isEmpty();

        assertThat(store.find(ACME, withSid.idHash())).hasValue(withSid);
        assertThat(store.find(ACME, withoutSid.idHash())).hasValue(withoutSid);
    }

    @Test
    void deleteUser_endsOnlyThatUsersSessionsInThatTenant() {
        BrowserSession first = created(ACME, "a1", ALICE, ISSUER, SID, SUBJECT);
        BrowserSession second = created(ACME, "a2", ALICE, OTHER_ISSUER, null, SUBJECT);
        BrowserSession bob = created(ACME, "b1", BOB, ISSUER, "idp-session-3", "c4d5e6f7-bob");
        BrowserSession otherTenant = created(GLOBEX, "g1", ALICE, ISSUER, SID, SUBJECT);

        assertThat(store.deleteUser(ACME, ALICE)).containsExactlyInAnyOrder(first.idHash(), second.idHash());

        assertThat(store.find(ACME, first.idHash())).isEmpty();
        assertThat(store.find(ACME, second.idHash())).isEmpty();
        assertThat(store.find(ACME, bob.idHash())).hasValue(bob);
        assertThat(store.find(GLOBEX, otherTenant.idHash())).hasValue(otherTenant);
        assertThat(store.deleteUser(ACME, ALICE)).isEmpty();
    }

    @Test
    void purge_deletesSessionsPastTheirEndOrIdleBefore_andKeepsTheRest() {
        Instant now = T0.plus(Duration.ofDays(1));
        Instant idleBefore = now.minus(Duration.ofHours(2));
        // Past its absolute end, though seen just now.
        BrowserSession ended = timed(ACME, "ended", now.minusSeconds(1), now);
        // Before its end, but idle too long.
        BrowserSession idle = timed(GLOBEX, "idle", now.plus(Duration.ofHours(1)), idleBefore.minusSeconds(1));
        // Exactly at both limits: not past them.
        BrowserSession atLimits = timed(ACME, "at-limits", now, idleBefore);
        BrowserSession live = timed(ACME, "live", now.plus(Duration.ofHours(1)), now);
        for (BrowserSession session : List.of(ended, idle, atLimits, live)) {
            store.create(session);
        }

        assertThat(store.purge(now, idleBefore)).isEqualTo(2);

        assertThat(store.find(ACME, ended.idHash())).isEmpty();
        assertThat(store.find(GLOBEX, idle.idHash())).isEmpty();
        assertThat(store.find(ACME, atLimits.idHash())).hasValue(atLimits);
        assertThat(store.find(ACME, live.idHash())).hasValue(live);
        assertThat(store.purge(now, idleBefore)).isZero();
    }

    /** Of many replicas seeing the IdP's token near expiry at once, one refreshes it. */
    @Test
    void claimIdpRefresh_racingCallers_exactlyOneClaims() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            BrowserSession session = created(ACME, "round-" + round, ALICE, ISSUER, SID, SUBJECT);
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Boolean>> results = new ArrayList<>();
            try (ExecutorService replicas = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < RACERS; i++) {
                    results.add(replicas.submit(() -> {
                        assertThat(start.await(30, TimeUnit.SECONDS)).isTrue();
                        return store.claimIdpRefresh(ACME, session.idHash(), T0, T1);
                    }));
                }
                start.countDown();
                int claimed = 0;
                for (Future<Boolean> result : results) {
                    if (result.get(60, TimeUnit.SECONDS)) {
                        claimed++;
                    }
                }

                assertThat(claimed).as("round %d", round).isEqualTo(1);
            }
        }
    }

    @Test
    void claimIdpRefresh_whileAClaimLasts_fails_andAfterItLapses_succeeds() {
        BrowserSession session = created(ACME, "session-1", ALICE, ISSUER, SID, SUBJECT);

        assertThat(store.claimIdpRefresh(ACME, session.idHash(), T0, T1)).isTrue();
        assertThat(store.claimIdpRefresh(ACME, session.idHash(), T0, T1)).isFalse();
        assertThat(store.claimIdpRefresh(ACME, session.idHash(), T1.minusSeconds(1), T2))
                .isFalse();

        // The claimant died without storing tokens: once its claim lapses, another replica takes over.
        assertThat(store.claimIdpRefresh(ACME, session.idHash(), T1.plusSeconds(1), T2))
                .isTrue();
        assertThat(store.claimIdpRefresh(ACME, session.idHash(), T1.plusSeconds(2), T2))
                .isFalse();
        assertThat(store.find(ACME, session.idHash())).hasValue(session);
    }

    @Test
    void claimIdpRefresh_unknownOrOtherTenantsSession_fails() {
        BrowserSession session = created(ACME, "session-1", ALICE, ISSUER, SID, SUBJECT);

        assertThat(store.claimIdpRefresh(GLOBEX, session.idHash(), T0, T1)).isFalse();
        assertThat(store.claimIdpRefresh(ACME, hash("session-2"), T0, T1)).isFalse();

        assertThat(store.claimIdpRefresh(ACME, session.idHash(), T0, T1)).isTrue();
    }

    @Test
    void storeIdpTokens_replacesTokensAndExpiry_andReleasesTheClaim() {
        BrowserSession session = created(ACME, "session-1", ALICE, ISSUER, SID, SUBJECT);
        assertThat(store.claimIdpRefresh(ACME, session.idHash(), T0, T2)).isTrue();
        Instant refreshedExpiry = IDP_EXPIRES.plusSeconds(300);

        store.storeIdpTokens(ACME, session.idHash(), sealed("idp-tokens-2"), refreshedExpiry);

        assertThat(store.find(ACME, session.idHash()))
                .hasValue(withIdpTokens(session, sealed("idp-tokens-2"), refreshedExpiry));
        // Well before the claim's end: only the release lets the next refresh start.
        assertThat(store.claimIdpRefresh(ACME, session.idHash(), T1, T2)).isTrue();
        assertThat(store.claimIdpRefresh(ACME, session.idHash(), T1, T2)).isFalse();
    }

    @Test
    void storeIdpTokens_withoutExpiry_storesNull() {
        BrowserSession session = created(ACME, "session-1", ALICE, ISSUER, SID, SUBJECT);
        assertThat(store.claimIdpRefresh(ACME, session.idHash(), T0, T2)).isTrue();

        store.storeIdpTokens(ACME, session.idHash(), sealed("idp-tokens-2"), null);

        assertThat(store.find(ACME, session.idHash())).hasValue(withIdpTokens(session, sealed("idp-tokens-2"), null));
        assertThat(store.claimIdpRefresh(ACME, session.idHash(), T1, T2)).isTrue();
    }

    @Test
    void storeIdpTokens_inAnotherTenant_changesNothing() {
        BrowserSession session = created(ACME, "session-1", ALICE, ISSUER, SID, SUBJECT);
        assertThat(store.claimIdpRefresh(ACME, session.idHash(), T0, T2)).isTrue();

        store.storeIdpTokens(GLOBEX, session.idHash(), sealed("idp-tokens-2"), null);

        assertThat(store.find(ACME, session.idHash())).hasValue(session);
        assertThat(store.find(GLOBEX, session.idHash())).isEmpty();
        assertThat(store.claimIdpRefresh(ACME, session.idHash(), T1, T2)).isFalse();
    }

    private BrowserSession created(
            TenantId tenant, String id, UserId user, String issuer, @Nullable String sid, String subject) {
        BrowserSession session = session(tenant, id, user, issuer, sid, subject);
        store.create(session);
        return session;
    }

    private static BrowserSession session(
            TenantId tenant, String id, UserId user, String issuer, @Nullable String sid, String subject) {
        return new BrowserSession(
                tenant,
                hash(tenant.value() + "." + id),
                user,
                T0,
                T0,
                EXPIRES,
                issuer,
                sid,
                subject,
                sealed("idp-tokens." + tenant.value() + "." + id),
                IDP_EXPIRES);
    }

    private static BrowserSession timed(TenantId tenant, String id, Instant expiresAt, Instant lastSeenAt) {
        return new BrowserSession(
                tenant,
                hash(tenant.value() + "." + id),
                ALICE,
                T0,
                lastSeenAt,
                expiresAt,
                ISSUER,
                SID,
                SUBJECT,
                sealed("idp-tokens." + id),
                IDP_EXPIRES);
    }

    private static BrowserSession lastSeen(BrowserSession session, Instant lastSeenAt) {
        return new BrowserSession(
                session.tenant(),
                session.idHash(),
                session.user(),
                session.createdAt(),
                lastSeenAt,
                session.expiresAt(),
                session.idpIssuer(),
                session.idpSid(),
                session.idpSubject(),
                session.sealedIdpTokens(),
                session.idpExpiresAt());
    }

    private static BrowserSession withIdpTokens(
            BrowserSession session, Ciphertext sealed, @Nullable Instant idpExpiresAt) {
        return new BrowserSession(
                session.tenant(),
                session.idHash(),
                session.user(),
                session.createdAt(),
                session.lastSeenAt(),
                session.expiresAt(),
                session.idpIssuer(),
                session.idpSid(),
                session.idpSubject(),
                sealed,
                idpExpiresAt);
    }

    private static String hash(String sessionId) {
        return Secret.sha256Hex(sessionId);
    }

    private static Ciphertext sealed(String tokens) {
        return Ciphertext.of(("sealed:" + tokens).getBytes(StandardCharsets.UTF_8));
    }
}
