package dev.latchkey.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.latchkey.core.identity.UserId;
import dev.latchkey.core.secret.Secret;
import dev.latchkey.core.session.FamilyId;
import dev.latchkey.core.session.SessionCode;
import dev.latchkey.core.session.SessionCodeStore.Redemption;
import dev.latchkey.core.tenant.TenantId;
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
 * The {@link JdbcSessionCodeStore} contract (DESIGN.md C4, security cases C4-01, C4-02), run
 * against each database by a subclass: a code is redeemed once, every later redemption learns the
 * family the first one created, a code is unknown in every other tenant, and the purge removes
 * expired codes only.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class SessionCodeStoreContract {
    private static final TenantId ACME = TenantId.of("acme");
    private static final TenantId GLOBEX = TenantId.of("globex");
    private static final UserId ALICE = UserId.of("alice");
    private static final String ORIGIN = "https://panel.acme.test";
    private static final String BROWSER_SESSION = Secret.sha256Hex("browser-session-1");
    // Whole seconds: both databases store them exactly.
    private static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");
    private static final Instant EXPIRES = NOW.plusSeconds(60);
    private static final int RACERS = 32;
    private static final int ROUNDS = 5;

    @SuppressWarnings("NullAway.Init")
    private TestDatabase database;

    @SuppressWarnings("NullAway.Init")
    private JdbcSessionCodeStore codes;

    protected abstract TestDatabase openDatabase();

    @BeforeAll
    void open() {
        database = openDatabase();
        codes = new JdbcSessionCodeStore(database.dataSource());
    }

    @AfterAll
    void close() {
        database.close();
    }

    @BeforeEach
    void clear() {
        database.update("DELETE FROM session_codes");
    }

    @Test
    void put_thenRedeem_isRedeemedWithEveryFieldAndTheNewFamily() {
        SessionCode code = code(ACME, "code-1", BROWSER_SESSION, EXPIRES);
        codes.put(code);
        FamilyId family = FamilyId.random();

        assertThat(codes.redeem(ACME, code.hash(), family, NOW))
                .isEqualTo(new Redemption.Redeemed(redeemedBy(code, family)));
    }

    @Test
    void put_withoutBrowserSession_roundTripsNull() {
        SessionCode code = code(ACME, "code-1", null, EXPIRES);
        codes.put(code);
        FamilyId family = FamilyId.random();

        assertThat(codes.redeem(ACME, code.hash(), family, NOW))
                .isEqualTo(new Redemption.Redeemed(redeemedBy(code, family)));
    }

    /** C4-01: the second redemption is refused and names the family to revoke. */
    @Test
    void redeem_again_isReusedNamingTheFirstFamily() {
        SessionCode code = code(ACME, "code-1", BROWSER_SESSION, EXPIRES);
        codes.put(code);
        FamilyId first = FamilyId.random();
        codes.redeem(ACME, code.hash(), first, NOW);

        assertThat(codes.redeem(ACME, code.hash(), FamilyId.random(), NOW.plusSeconds(1)))
                .isEqualTo(new Redemption.Reused(redeemedBy(code, first)));
        assertThat(codes.redeem(ACME, code.hash(), FamilyId.random(), NOW.plusSeconds(2)))
                .isEqualTo(new Redemption.Reused(redeemedBy(code, first)));
    }

    @Test
    void redeem_unknownCode_isUnknown() {
        codes.put(code(ACME, "code-1", null, EXPIRES));

        assertThat(codes.redeem(ACME, Secret.sha256Hex("code-2"), FamilyId.random(), NOW))
                .isEqualTo(new Redemption.Unknown());
    }

    /** C4-02: a code presented in another tenant is unknown there and stays usable in its own. */
    @Test
    void redeem_inAnotherTenant_isUnknown_andLeavesTheCodeUsable() {
        SessionCode code = code(ACME, "code-1", BROWSER_SESSION, EXPIRES);
        codes.put(code);

        assertThat(codes.redeem(GLOBEX, code.hash(), FamilyId.random(), NOW)).isEqualTo(new Redemption.Unknown());

        FamilyId family = FamilyId.random();
        assertThat(codes.redeem(ACME, code.hash(), family, NOW))
                .isEqualTo(new Redemption.Redeemed(redeemedBy(code, family)));
    }

    @Test
    void redeem_sameHashInTwoTenants_areTwoCodes() {
        SessionCode acme = code(ACME, "code-1", null, EXPIRES);
        SessionCode globex = code(GLOBEX, "code-1", null, EXPIRES);
        codes.put(acme);
        codes.put(globex);
        FamilyId acmeFamily = FamilyId.random();
        FamilyId globexFamily = FamilyId.random();

        assertThat(codes.redeem(ACME, acme.hash(), acmeFamily, NOW))
                .isEqualTo(new Redemption.Redeemed(redeemedBy(acme, acmeFamily)));
        assertThat(codes.redeem(GLOBEX, globex.hash(), globexFamily, NOW))
                .isEqualTo(new Redemption.Redeemed(redeemedBy(globex, globexFamily)));
    }

    /** C4-01 across replicas: of many simultaneous redemptions, one wins and all others name its family. */
    @Test
    void redeem_racingCallers_exactlyOneRedeems_andEveryOtherNamesItsFamily() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            SessionCode code = code(ACME, "code-" + round, BROWSER_SESSION, EXPIRES);
            codes.put(code);
            List<FamilyId> families = new ArrayList<>();
            for (int i = 0; i < RACERS; i++) {
                families.add(FamilyId.random());
            }
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Redemption>> results = new ArrayList<>();
            try (ExecutorService replicas = Executors.newVirtualThreadPerTaskExecutor()) {
                for (FamilyId family : families) {
                    results.add(replicas.submit(() -> {
                        assertThat(start.await(30, TimeUnit.SECONDS)).isTrue();
                        return codes.redeem(ACME, code.hash(), family, NOW);
                    }));
                }
                start.countDown();
                List<Integer> winners = new ArrayList<>();
                List<Redemption> outcomes = new ArrayList<>();
                for (int i = 0; i < RACERS; i++) {
                    Redemption outcome = results.get(i).get(60, TimeUnit.SECONDS);
                    outcomes.add(outcome);
                    if (outcome instanceof Redemption.Redeemed) {
                        winners.add(i);
                    }
                }

                assertThat(winners).as("round %d", round).hasSize(1);
                SessionCode redeemed = redeemedBy(code, families.get(winners.getFirst()));
                for (int i = 0; i < RACERS; i++) {
                    assertThat(outcomes.get(i))
                            .as("round %d, caller %d", round, i)
                            .isEqualTo(
                                    i == winners.getFirst()
                                            ? new Redemption.Redeemed(redeemed)
                                            : new Redemption.Reused(redeemed));
                }
            }
        }
    }

    @Test
    void purge_deletesCodesExpiredBefore_andKeepsTheRest() {
        SessionCode expired = code(ACME, "expired", null, NOW.minusSeconds(1));
        SessionCode expiredRedeemed = code(GLOBEX, "expired-redeemed", null, NOW.minusSeconds(30));
        SessionCode atLimit = code(ACME, "at-limit", null, NOW);
        SessionCode live = code(ACME, "live", null, EXPIRES);
        codes.put(expired);
        codes.put(expiredRedeemed);
        codes.put(atLimit);
        codes.put(live);
        codes.redeem(GLOBEX, expiredRedeemed.hash(), FamilyId.random(), NOW.minusSeconds(40));

        assertThat(codes.purge(NOW)).isEqualTo(2);

        assertThat(codes.redeem(ACME, expired.hash(), FamilyId.random(), NOW)).isEqualTo(new Redemption.Unknown());
        assertThat(codes.redeem(GLOBEX, expiredRedeemed.hash(), FamilyId.random(), NOW))
                .isEqualTo(new Redemption.Unknown());
        assertThat(codes.redeem(ACME, atLimit.hash(), FamilyId.random(), NOW)).isInstanceOf(Redemption.Redeemed.class);
        assertThat(codes.redeem(ACME, live.hash(), FamilyId.random(), NOW)).isInstanceOf(Redemption.Redeemed.class);
        assertThat(codes.purge(NOW)).isZero();
    }

    private static SessionCode code(TenantId tenant, String code, @Nullable String browserSession, Instant expiresAt) {
        return new SessionCode(tenant, Secret.sha256Hex(code), ALICE, ORIGIN, browserSession, expiresAt, null);
    }

    private static SessionCode redeemedBy(SessionCode code, FamilyId family) {
        return new SessionCode(
                code.tenant(),
                code.hash(),
                code.user(),
                code.origin(),
                code.browserSession(),
                code.expiresAt(),
                family);
    }
}
