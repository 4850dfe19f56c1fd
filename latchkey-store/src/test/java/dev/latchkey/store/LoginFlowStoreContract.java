package dev.latchkey.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.latchkey.core.grant.Ciphertext;
import dev.latchkey.core.secret.Secret;
import dev.latchkey.core.session.PendingLogin;
import dev.latchkey.core.tenant.TenantId;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The {@link JdbcLoginFlowStore} contract (DESIGN.md C3, C3-18), run against each database by a
 * subclass: a pending login round-trips, is taken at most once even by racing callbacks, is unknown
 * in every other tenant, only unexpired logins of a tenant count against its cap, and the purge
 * removes expired logins only.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class LoginFlowStoreContract {
    private static final TenantId ACME = TenantId.of("acme");
    private static final TenantId GLOBEX = TenantId.of("globex");
    // Whole seconds: both databases store them exactly.
    private static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");
    private static final Instant EXPIRES = NOW.plusSeconds(600);
    private static final int RACERS = 32;
    private static final int ROUNDS = 5;

    @SuppressWarnings("NullAway.Init")
    private TestDatabase database;

    @SuppressWarnings("NullAway.Init")
    private JdbcLoginFlowStore flows;

    protected abstract TestDatabase openDatabase();

    @BeforeAll
    void open() {
        database = openDatabase();
        flows = new JdbcLoginFlowStore(database.dataSource());
    }

    @AfterAll
    void close() {
        database.close();
    }

    @BeforeEach
    void clear() {
        database.update("DELETE FROM login_flows");
    }

    @Test
    void put_thenTake_returnsEveryField() {
        PendingLogin login = login(ACME, "state-1", EXPIRES);
        flows.put(login);

        assertThat(flows.take(ACME, login.stateHash())).hasValue(login);
    }

    /** A state is single-use (RFC 6749 §10.12): a replayed callback finds nothing. */
    @Test
    void take_again_isEmpty() {
        PendingLogin login = login(ACME, "state-1", EXPIRES);
        PendingLogin other = login(ACME, "state-2", EXPIRES);
        flows.put(login);
        flows.put(other);
        flows.take(ACME, login.stateHash());

        assertThat(flows.take(ACME, login.stateHash())).isEmpty();
        assertThat(flows.take(ACME, other.stateHash())).hasValue(other);
    }

    @Test
    void take_unknownState_isEmpty() {
        flows.put(login(ACME, "state-1", EXPIRES));

        assertThat(flows.take(ACME, Secret.sha256Hex("state-2"))).isEmpty();
    }

    @Test
    void take_inAnotherTenant_isEmpty_andLeavesTheLoginTakeable() {
        PendingLogin login = login(ACME, "state-1", EXPIRES);
        flows.put(login);

        assertThat(flows.take(GLOBEX, login.stateHash())).isEmpty();

        assertThat(flows.take(ACME, login.stateHash())).hasValue(login);
    }

    @Test
    void put_sameStateInTwoTenants_areTwoLogins() {
        PendingLogin acme = login(ACME, "state-1", EXPIRES);
        PendingLogin globex = new PendingLogin(
                GLOBEX, acme.stateHash(), Secret.sha256Hex("binding.globex"), sealed("globex"), EXPIRES.plusSeconds(1));
        flows.put(acme);
        flows.put(globex);

        assertThat(flows.take(GLOBEX, acme.stateHash())).hasValue(globex);
        assertThat(flows.take(ACME, acme.stateHash())).hasValue(acme);
    }

    /** One callback delivered to many replicas at once: the login completes once. */
    @Test
    void take_racingCallers_exactlyOneGetsTheLogin() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            PendingLogin login = login(ACME, "round-" + round, EXPIRES);
            flows.put(login);
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Optional<PendingLogin>>> results = new ArrayList<>();
            try (ExecutorService replicas = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < RACERS; i++) {
                    results.add(replicas.submit(() -> {
                        assertThat(start.await(30, TimeUnit.SECONDS)).isTrue();
                        return flows.take(ACME, login.stateHash());
                    }));
                }
                start.countDown();
                List<PendingLogin> taken = new ArrayList<>();
                for (Future<Optional<PendingLogin>> result : results) {
                    result.get(60, TimeUnit.SECONDS).ifPresent(taken::add);
                }

                assertThat(taken).as("round %d", round).containsExactly(login);
            }
        }
    }

    /** C3-18: the per-tenant cap counts live logins of that tenant only. */
    @Test
    void pending_countsOnlyUnexpiredLoginsOfThatTenant() {
        flows.put(login(ACME, "live-1", EXPIRES));
        flows.put(login(ACME, "live-2", NOW.plusSeconds(1)));
        flows.put(login(ACME, "expired", NOW.minusSeconds(1)));
        // Expired at this very instant: core treats a login as expired once now is not before expiresAt.
        flows.put(login(ACME, "at-expiry", NOW));
        flows.put(login(GLOBEX, "live-3", EXPIRES));

        assertThat(flows.pending(ACME, NOW)).isEqualTo(2);
        assertThat(flows.pending(GLOBEX, NOW)).isEqualTo(1);
        assertThat(flows.pending(TenantId.of("initech"), NOW)).isZero();
        assertThat(flows.pending(ACME, NOW.plusSeconds(1))).isEqualTo(1);
    }

    @Test
    void purge_deletesLoginsExpiredBefore_andKeepsTheRest() {
        PendingLogin expired = login(ACME, "expired", NOW.minusSeconds(1));
        PendingLogin expiredElsewhere = login(GLOBEX, "expired", NOW.minusSeconds(30));
        PendingLogin atLimit = login(ACME, "at-limit", NOW);
        PendingLogin live = login(ACME, "live", EXPIRES);
        for (PendingLogin login : List.of(expired, expiredElsewhere, atLimit, live)) {
            flows.put(login);
        }

        assertThat(flows.purge(NOW)).isEqualTo(2);

        assertThat(flows.take(ACME, expired.stateHash())).isEmpty();
        assertThat(flows.take(GLOBEX, expiredElsewhere.stateHash())).isEmpty();
        assertThat(flows.take(ACME, atLimit.stateHash())).hasValue(atLimit);
        assertThat(flows.take(ACME, live.stateHash())).hasValue(live);
        assertThat(flows.purge(NOW)).isZero();
    }

    private static PendingLogin login(TenantId tenant, String state, Instant expiresAt) {
        String key = tenant.value() + "." + state;
        return new PendingLogin(
                tenant, Secret.sha256Hex(key), Secret.sha256Hex("binding." + key), sealed(key), expiresAt);
    }

    private static Ciphertext sealed(String login) {
        return Ciphertext.of(("sealed:nonce,verifier,return:" + login).getBytes(StandardCharsets.UTF_8));
    }
}
