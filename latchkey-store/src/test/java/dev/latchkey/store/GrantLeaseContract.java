package dev.latchkey.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.latchkey.core.crypto.Keyset;
import dev.latchkey.core.crypto.TinkCipher;
import dev.latchkey.core.grant.EncryptedTokenStore;
import dev.latchkey.core.grant.GrantKey;
import dev.latchkey.core.grant.GrantLookup;
import dev.latchkey.core.grant.StoreResult;
import dev.latchkey.testkit.TestGrants;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The {@link JdbcGrantLease} contract, run against each database by a subclass. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class GrantLeaseContract {
    private static final GrantKey KEY = GrantKey.of("acme", "alice", "github-mcp");
    private static final GrantKey OTHER_TENANT = GrantKey.of("globex", "alice", "github-mcp");
    private static final Duration TTL = Duration.ofMinutes(5);

    private TestDatabase database;
    private EncryptedTokenStore tokens;
    private JdbcGrantLease lease;

    protected abstract TestDatabase openDatabase();

    @BeforeAll
    void open() throws Exception {
        database = openDatabase();
        tokens = new EncryptedTokenStore(
                new JdbcSealedTokenStore(database.dataSource()),
                TinkCipher.of(Keyset.generate()),
                EncryptedTokenStore.Listener.NONE);
        lease = new JdbcGrantLease(database.dataSource());
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
    void tryAcquire_noRow_returnsEmpty() {
        assertThat(lease.tryAcquire(KEY, "replica-a", TTL)).isEmpty();
    }

    @Test
    void tryAcquire_held_refusesSecondHolder() {
        store(KEY);
        OptionalLong first = lease.tryAcquire(KEY, "replica-a", TTL);

        assertThat(first).isPresent();
        assertThat(lease.tryAcquire(KEY, "replica-b", TTL)).isEmpty();
        assertThat(lease.tryAcquire(KEY, "replica-a", TTL)).isEmpty();
    }

    @Test
    void release_thenAcquire_givesHigherFence() {
        store(KEY);
        long first = lease.tryAcquire(KEY, "replica-a", TTL).orElseThrow();

        assertThat(lease.release(KEY, "replica-a", first)).isTrue();
        long second = lease.tryAcquire(KEY, "replica-b", TTL).orElseThrow();

        assertThat(second).isGreaterThan(first);
    }

    @Test
    void release_staleFenceOrOtherOwner_keepsLease() {
        store(KEY);
        long fence = lease.tryAcquire(KEY, "replica-a", TTL).orElseThrow();

        assertThat(lease.release(KEY, "replica-a", fence - 1)).isFalse();
        assertThat(lease.release(KEY, "replica-b", fence)).isFalse();
        assertThat(lease.tryAcquire(KEY, "replica-b", TTL)).isEmpty();
    }

    @Test
    void tryAcquire_expiredByDatabaseClock_isTakenOver() {
        store(KEY);
        long dead = lease.tryAcquire(KEY, "replica-a", TTL).orElseThrow();
        // The holder died: its lease ran out by the database's clock.
        database.update("UPDATE token_sets SET lease_until = CURRENT_TIMESTAMP - INTERVAL '1' SECOND");

        long next = lease.tryAcquire(KEY, "replica-b", TTL).orElseThrow();

        assertThat(next).isGreaterThan(dead);
        assertThat(lease.release(KEY, "replica-a", dead)).isFalse();
        assertThat(lease.tryAcquire(KEY, "replica-c", TTL)).isEmpty();
    }

    @Test
    void tryAcquire_concurrent_exactlyOneWins() throws Exception {
        store(KEY);
        int threads = 16;
        CyclicBarrier gate = new CyclicBarrier(threads);
        List<Future<OptionalLong>> results = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            for (int i = 0; i < threads; i++) {
                String owner = "replica-" + i;
                results.add(pool.submit(() -> {
                    gate.await();
                    return lease.tryAcquire(KEY, owner, TTL);
                }));
            }
        }
        long winners = 0;
        for (Future<OptionalLong> result : results) {
            winners += result.get().isPresent() ? 1 : 0;
        }
        assertThat(winners).isEqualTo(1);
    }

    @Test
    void tryAcquire_otherTenantSameUserAndResource_isIndependent() {
        store(KEY);
        store(OTHER_TENANT);

        assertThat(lease.tryAcquire(KEY, "replica-a", TTL)).isPresent();
        assertThat(lease.tryAcquire(OTHER_TENANT, "replica-b", TTL)).isPresent();
    }

    @Test
    void tryAcquire_leavesVersionAndTokensAlone() {
        store(KEY);
        lease.tryAcquire(KEY, "replica-a", TTL).orElseThrow();

        GrantLookup lookup = tokens.find(KEY);
        assertThat(lookup.version()).isEqualTo(1);
        assertThat(tokens.compareAndSet(KEY, 1, TestGrants.fresh(Instant.now())))
                .isInstanceOf(StoreResult.Stored.class);
    }

    private void store(GrantKey key) {
        assertThat(tokens.compareAndSet(key, 0, TestGrants.fresh(Instant.now())))
                .isInstanceOf(StoreResult.Stored.class);
    }
}
