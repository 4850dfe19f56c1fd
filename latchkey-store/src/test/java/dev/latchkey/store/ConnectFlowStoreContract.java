package dev.latchkey.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.latchkey.core.downstream.PendingFlow;
import dev.latchkey.core.grant.Ciphertext;
import dev.latchkey.core.grant.ResourceName;
import dev.latchkey.core.identity.UserId;
import dev.latchkey.core.secret.Secret;
import dev.latchkey.core.tenant.TenantId;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The {@link JdbcConnectFlowStore} contract, run against each database by a subclass. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ConnectFlowStoreContract {
    private static final TenantId ACME = TenantId.of("acme");
    private static final TenantId GLOBEX = TenantId.of("globex");
    private static final UserId ALICE = UserId.of("alice");
    private static final ResourceName GITHUB = ResourceName.of("github");
    // A fixed instant far in the future: these flows never expire during the test.
    private static final Instant LATER = Instant.parse("2999-01-01T00:00:00Z");

    private TestDatabase database;
    private JdbcConnectFlowStore flows;

    protected abstract TestDatabase openDatabase();

    @BeforeAll
    void open() {
        database = openDatabase();
        flows = new JdbcConnectFlowStore(database.dataSource());
    }

    @AfterAll
    void close() {
        database.close();
    }

    @BeforeEach
    void clear() {
        database.update("DELETE FROM connect_flows");
    }

    @Test
    void put_thenTake_returnsTheFlowOnce() {
        PendingFlow flow = flow(ACME, "state-1", LATER);
        flows.put(flow);

        assertThat(flows.pending(ACME, ALICE, GITHUB)).hasValue(flow);
        assertThat(flows.take(ACME, flow.stateHash())).hasValue(flow);
        assertThat(flows.take(ACME, flow.stateHash())).isEmpty();
        assertThat(flows.pending(ACME, ALICE, GITHUB)).isEmpty();
    }

    @Test
    void put_again_replacesThePendingFlow_andItsStateStopsWorking() {
        PendingFlow first = flow(ACME, "state-1", LATER);
        PendingFlow second = flow(ACME, "state-2", LATER);
        flows.put(first);
        flows.put(second);

        assertThat(flows.take(ACME, first.stateHash())).isEmpty();
        assertThat(flows.take(ACME, second.stateHash())).hasValue(second);
    }

    @Test
    void take_inAnotherTenant_findsNothing() {
        PendingFlow flow = flow(ACME, "state-1", LATER);
        flows.put(flow);

        assertThat(flows.take(GLOBEX, flow.stateHash())).isEmpty();
        assertThat(flows.pending(GLOBEX, ALICE, GITHUB)).isEmpty();
        assertThat(flows.take(ACME, flow.stateHash())).hasValue(flow);
    }

    @Test
    void take_racingCallers_exactlyOneWins() throws Exception {
        int callers = 16;
        for (int round = 0; round < 10; round++) {
            PendingFlow flow = flow(ACME, "state-" + round, LATER);
            flows.put(flow);
            CyclicBarrier start = new CyclicBarrier(callers);
            List<Future<Optional<PendingFlow>>> results = new ArrayList<>();
            try (ExecutorService pool = Executors.newFixedThreadPool(callers)) {
                for (int i = 0; i < callers; i++) {
                    results.add(pool.submit(() -> {
                        start.await();
                        return flows.take(ACME, flow.stateHash());
                    }));
                }
                int winners = 0;
                for (Future<Optional<PendingFlow>> result : results) {
                    winners += result.get().isPresent() ? 1 : 0;
                }
                assertThat(winners).as("round %d", round).isEqualTo(1);
            }
        }
    }

    @Test
    void purgeExpired_removesOnlyExpiredFlows() {
        Instant now = Instant.now();
        flows.put(flow(ACME, "old", now.minusSeconds(1)));
        PendingFlow live = new PendingFlow(GLOBEX, ALICE, GITHUB, Secret.sha256Hex("live"), sealed("live"), LATER);
        flows.put(live);

        assertThat(flows.purgeExpired(now)).isEqualTo(1);
        assertThat(flows.pending(ACME, ALICE, GITHUB)).isEmpty();
        assertThat(flows.pending(GLOBEX, ALICE, GITHUB)).hasValue(live);
    }

    private static PendingFlow flow(TenantId tenant, String state, Instant expiresAt) {
        return new PendingFlow(
                tenant,
                ALICE,
                GITHUB,
                Secret.sha256Hex(state),
                sealed(state),
                expiresAt.truncatedTo(ChronoUnit.MILLIS));
    }

    private static Ciphertext sealed(String text) {
        return Ciphertext.of(("sealed:" + text).getBytes(StandardCharsets.UTF_8));
    }
}
