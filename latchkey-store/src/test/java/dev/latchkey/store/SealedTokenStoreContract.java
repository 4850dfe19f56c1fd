package dev.latchkey.store;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.latchkey.core.grant.Ciphertext;
import dev.latchkey.core.grant.GrantKey;
import dev.latchkey.core.grant.SealedGrant;
import dev.latchkey.core.grant.SealedWrite;
import dev.latchkey.core.identity.UserId;
import dev.latchkey.core.tenant.TenantId;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The {@link dev.latchkey.core.grant.SealedTokenStore} contract, run against each database by a
 * subclass. Each test starts from an empty table.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class SealedTokenStoreContract {
    private static final GrantKey KEY = GrantKey.of("acme", "alice", "github-mcp");
    private static final Instant EXPIRY = Instant.parse("2030-01-02T03:04:05Z");
    private static final Instant LATER_EXPIRY = Instant.parse("2030-06-07T08:09:10.123456Z");

    private TestDatabase database;
    private JdbcSealedTokenStore store;

    protected abstract TestDatabase openDatabase();

    @BeforeAll
    void open() {
        database = openDatabase();
        store = new JdbcSealedTokenStore(database.dataSource());
    }

    @AfterAll
    void close() {
        database.close();
    }

    @BeforeEach
    void clear() {
        database.update("DELETE FROM token_sets");
    }

    @Test
    void find_absentRow_returnsEmpty() {
        assertThat(store.find(KEY)).isEmpty();
    }

    @Test
    void compareAndSet_versionZeroOnAbsentRow_insertsVersionOne() {
        SealedWrite write = store.compareAndSet(KEY, 0, sealed("first"), EXPIRY);

        assertThat(write).isEqualTo(new SealedWrite.Written(1));
        assertThat(store.find(KEY)).contains(new SealedGrant(KEY, 1, sealed("first"), EXPIRY));
    }

    @Test
    void compareAndSet_noExpiry_storesNoExpiry() {
        store.compareAndSet(KEY, 0, sealed("first"), null);

        assertThat(store.find(KEY).orElseThrow().expiry()).isEmpty();
    }

    @Test
    void compareAndSet_versionZeroOnExistingRow_conflictCarriesCurrentRow() {
        store.compareAndSet(KEY, 0, sealed("winner"), EXPIRY);

        SealedWrite write = store.compareAndSet(KEY, 0, sealed("loser"), LATER_EXPIRY);

        assertThat(write)
                .isEqualTo(new SealedWrite.Conflict(Optional.of(new SealedGrant(KEY, 1, sealed("winner"), EXPIRY))));
        assertThat(store.find(KEY).orElseThrow().ciphertext()).isEqualTo(sealed("winner"));
    }

    @Test
    void compareAndSet_currentVersion_writesAndIncrementsVersion() {
        store.compareAndSet(KEY, 0, sealed("first"), EXPIRY);

        SealedWrite write = store.compareAndSet(KEY, 1, sealed("second"), LATER_EXPIRY);

        assertThat(write).isEqualTo(new SealedWrite.Written(2));
        assertThat(store.find(KEY)).contains(new SealedGrant(KEY, 2, sealed("second"), LATER_EXPIRY));
    }

    @Test
    void compareAndSet_staleVersion_returnsWinner() {
        store.compareAndSet(KEY, 0, sealed("first"), EXPIRY);
        store.compareAndSet(KEY, 1, sealed("winner"), LATER_EXPIRY);

        SealedWrite write = store.compareAndSet(KEY, 1, sealed("late"), EXPIRY);

        SealedGrant winner = new SealedGrant(KEY, 2, sealed("winner"), LATER_EXPIRY);
        assertThat(write).isEqualTo(new SealedWrite.Conflict(Optional.of(winner)));
        assertThat(store.find(KEY)).contains(winner);
    }

    @Test
    void compareAndSet_versionAheadOfRow_conflicts() {
        store.compareAndSet(KEY, 0, sealed("first"), EXPIRY);

        assertThat(store.compareAndSet(KEY, 7, sealed("ahead"), EXPIRY)).isInstanceOf(SealedWrite.Conflict.class);
        assertThat(store.find(KEY).orElseThrow().version()).isEqualTo(1);
    }

    @Test
    void compareAndSet_rowDeletedMeanwhile_conflictIsEmpty() {
        store.compareAndSet(KEY, 0, sealed("first"), EXPIRY);
        store.delete(KEY, 1);

        assertThat(store.compareAndSet(KEY, 1, sealed("late"), EXPIRY))
                .isEqualTo(new SealedWrite.Conflict(Optional.empty()));
        assertThat(store.find(KEY)).isEmpty();
    }

    @Test
    void compareAndSet_negativeVersion_isRejected() {
        assertThatThrownBy(() -> store.compareAndSet(KEY, -1, sealed("x"), EXPIRY))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void delete_currentVersion_deletesRow() {
        store.compareAndSet(KEY, 0, sealed("first"), EXPIRY);
        store.compareAndSet(KEY, 1, sealed("second"), EXPIRY);

        assertThat(store.delete(KEY, 2)).isTrue();
        assertThat(store.find(KEY)).isEmpty();
    }

    @Test
    void delete_staleVersion_keepsRow() {
        store.compareAndSet(KEY, 0, sealed("first"), EXPIRY);
        store.compareAndSet(KEY, 1, sealed("second"), EXPIRY);

        assertThat(store.delete(KEY, 1)).isFalse();
        assertThat(store.find(KEY).orElseThrow().ciphertext()).isEqualTo(sealed("second"));
    }

    @Test
    void delete_absentRow_returnsFalse() {
        assertThat(store.delete(KEY, 1)).isFalse();
    }

    @Test
    void reseal_currentVersion_replacesCiphertextAndKeepsVersion() {
        store.compareAndSet(KEY, 0, sealed("old-key"), EXPIRY);
        store.compareAndSet(KEY, 1, sealed("old-key-2"), EXPIRY);

        assertThat(store.reseal(KEY, 2, sealed("new-key"))).isTrue();
        assertThat(store.find(KEY)).contains(new SealedGrant(KEY, 2, sealed("new-key"), EXPIRY));
    }

    @Test
    void reseal_afterConcurrentWrite_losesAndKeepsTheWrite() {
        store.compareAndSet(KEY, 0, sealed("old-key"), EXPIRY);
        long versionReadByResealer = store.find(KEY).orElseThrow().version();
        store.compareAndSet(KEY, versionReadByResealer, sealed("refreshed"), LATER_EXPIRY);

        assertThat(store.reseal(KEY, versionReadByResealer, sealed("resealed-stale")))
                .isFalse();
        assertThat(store.find(KEY)).contains(new SealedGrant(KEY, 2, sealed("refreshed"), LATER_EXPIRY));
    }

    @Test
    void reseal_thenWriterWithSameVersion_writerStillWins() {
        store.compareAndSet(KEY, 0, sealed("old-key"), EXPIRY);

        store.reseal(KEY, 1, sealed("resealed"));

        assertThat(store.compareAndSet(KEY, 1, sealed("refreshed"), EXPIRY)).isEqualTo(new SealedWrite.Written(2));
    }

    @Test
    void listForUser_severalResources_orderedByResourceAndOnlyThatUser() {
        store.compareAndSet(GrantKey.of("acme", "alice", "zeta"), 0, sealed("z"), EXPIRY);
        store.compareAndSet(GrantKey.of("acme", "alice", "alpha"), 0, sealed("a"), null);
        store.compareAndSet(GrantKey.of("acme", "alice", "mid"), 0, sealed("m"), EXPIRY);
        store.compareAndSet(GrantKey.of("acme", "bob", "alpha"), 0, sealed("bob"), EXPIRY);
        store.compareAndSet(GrantKey.of("globex", "alice", "alpha"), 0, sealed("other tenant"), EXPIRY);

        List<SealedGrant> grants = store.listForUser(TenantId.of("acme"), UserId.of("alice"));

        assertThat(grants).extracting(grant -> grant.key().resource().value()).containsExactly("alpha", "mid", "zeta");
        assertThat(grants).extracting(SealedGrant::ciphertext).containsExactly(sealed("a"), sealed("m"), sealed("z"));
    }

    @Test
    void listForUser_noRows_isEmpty() {
        assertThat(store.listForUser(TenantId.of("acme"), UserId.of("nobody"))).isEmpty();
    }

    @Test
    void page_walksEveryRowOnceInKeyOrder() {
        List<GrantKey> keys = new ArrayList<>();
        for (String tenant : List.of("acme", "globex", "initech")) {
            for (String user : List.of("alice", "bob", "carol")) {
                for (String resource : List.of("a1", "b2")) {
                    keys.add(GrantKey.of(tenant, user, resource));
                }
            }
        }
        for (GrantKey key : keys.reversed()) {
            store.compareAndSet(key, 0, sealed(key.toString()), EXPIRY);
        }

        List<GrantKey> walked = new ArrayList<>();
        @Nullable GrantKey after = null;
        int pages = 0;
        while (true) {
            List<SealedGrant> page = store.page(after, 4);
            pages++;
            page.forEach(row -> walked.add(row.key()));
            if (page.size() < 4) {
                break;
            }
            after = page.getLast().key();
        }

        List<GrantKey> expected = keys.stream()
                .sorted(Comparator.comparing((GrantKey key) -> key.tenant().value())
                        .thenComparing(key -> key.user().value())
                        .thenComparing(key -> key.resource().value()))
                .toList();
        assertThat(walked).containsExactlyElementsOf(expected);
        assertThat(pages).isEqualTo(5);
    }

    @Test
    void page_afterLastKey_isEmpty() {
        store.compareAndSet(KEY, 0, sealed("only"), EXPIRY);

        assertThat(store.page(null, 10)).extracting(SealedGrant::key).containsExactly(KEY);
        assertThat(store.page(KEY, 10)).isEmpty();
    }

    @Test
    void page_zeroLimit_isRejected() {
        assertThatThrownBy(() -> store.page(null, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void tenants_sameUserAndResource_areSeparateRows() {
        GrantKey acme = GrantKey.of("acme", "alice", "github-mcp");
        GrantKey globex = GrantKey.of("globex", "alice", "github-mcp");

        assertThat(store.compareAndSet(acme, 0, sealed("acme token"), EXPIRY)).isEqualTo(new SealedWrite.Written(1));
        assertThat(store.compareAndSet(globex, 0, sealed("globex token"), EXPIRY))
                .isEqualTo(new SealedWrite.Written(1));
        store.compareAndSet(acme, 1, sealed("acme refreshed"), EXPIRY);

        assertThat(store.find(acme)).contains(new SealedGrant(acme, 2, sealed("acme refreshed"), EXPIRY));
        assertThat(store.find(globex)).contains(new SealedGrant(globex, 1, sealed("globex token"), EXPIRY));
        assertThat(store.delete(globex, 2)).isFalse();
        assertThat(store.delete(acme, 2)).isTrue();
        assertThat(store.find(globex)).isPresent();
        assertThat(store.listForUser(TenantId.of("globex"), UserId.of("alice")))
                .extracting(SealedGrant::ciphertext)
                .containsExactly(sealed("globex token"));
        assertThat(store.listForUser(TenantId.of("acme"), UserId.of("alice"))).isEmpty();
    }

    @Test
    void compareAndSet_32WritersFromOneVersion_exactlyOneWinsEachRound() throws Exception {
        int writers = 32;
        store.compareAndSet(KEY, 0, sealed("initial"), EXPIRY);
        long expected = 1;
        CyclicBarrier startGate = new CyclicBarrier(writers);
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            for (int round = 0; round < 50; round++) {
                long from = expected;
                List<Future<SealedWrite>> futures = new ArrayList<>();
                for (int writer = 0; writer < writers; writer++) {
                    Ciphertext mine = sealed("round " + round + " writer " + writer);
                    futures.add(pool.submit(() -> {
                        startGate.await();
                        return store.compareAndSet(KEY, from, mine, EXPIRY);
                    }));
                }
                List<SealedWrite> writes = new ArrayList<>();
                List<Ciphertext> attempted = new ArrayList<>();
                for (int writer = 0; writer < writers; writer++) {
                    writes.add(futures.get(writer).get());
                    attempted.add(sealed("round " + round + " writer " + writer));
                }

                List<Integer> winners = new ArrayList<>();
                for (int writer = 0; writer < writers; writer++) {
                    if (writes.get(writer) instanceof SealedWrite.Written written) {
                        assertThat(written.version()).isEqualTo(from + 1);
                        winners.add(writer);
                    }
                }
                assertThat(winners).as("winners of round %d", round).hasSize(1);
                Ciphertext winning = attempted.get(winners.getFirst());
                for (SealedWrite write : writes) {
                    if (write instanceof SealedWrite.Conflict conflict) {
                        assertThat(conflict.current()).contains(new SealedGrant(KEY, from + 1, winning, EXPIRY));
                    }
                }
                assertThat(store.find(KEY)).contains(new SealedGrant(KEY, from + 1, winning, EXPIRY));
                expected = from + 1;
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(store.find(KEY).orElseThrow().version()).isEqualTo(51);
    }

    @Test
    void compareAndSet_32InsertersOfOneKey_exactlyOneWinsEachRound() throws Exception {
        int writers = 32;
        CyclicBarrier startGate = new CyclicBarrier(writers);
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            for (int round = 0; round < 20; round++) {
                GrantKey key = GrantKey.of("acme", "user-" + round, "github-mcp");
                List<Future<SealedWrite>> futures = new ArrayList<>();
                for (int writer = 0; writer < writers; writer++) {
                    Ciphertext mine = sealed("writer " + writer);
                    futures.add(pool.submit(() -> {
                        startGate.await();
                        return store.compareAndSet(key, 0, mine, EXPIRY);
                    }));
                }
                List<SealedWrite> writes = new ArrayList<>();
                for (Future<SealedWrite> future : futures) {
                    writes.add(future.get());
                }

                assertThat(writes)
                        .filteredOn(SealedWrite.Written.class::isInstance)
                        .hasSize(1);
                SealedGrant stored = store.find(key).orElseThrow();
                assertThat(writes)
                        .filteredOn(SealedWrite.Conflict.class::isInstance)
                        .allSatisfy(write -> assertThat(((SealedWrite.Conflict) write).current())
                                .contains(stored));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static Ciphertext sealed(String text) {
        return Ciphertext.of(text.getBytes(UTF_8));
    }
}
