package dev.latchkey.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.latchkey.core.crypto.Keyset;
import dev.latchkey.core.crypto.TinkCipher;
import dev.latchkey.core.grant.EncryptedTokenStore;
import dev.latchkey.core.grant.GrantKey;
import dev.latchkey.core.grant.GrantLookup;
import dev.latchkey.core.grant.GrantUsage.DueGrant;
import dev.latchkey.core.grant.StoreResult;
import dev.latchkey.core.grant.TokenSet;
import dev.latchkey.core.grant.VersionedTokenSet;
import dev.latchkey.core.secret.Secret;
import dev.latchkey.testkit.TestGrants;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The {@link JdbcGrantUsage} contract, run against each database by a subclass. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class GrantUsageContract {
    private static final Instant NOW = Instant.parse("2030-01-01T12:00:00Z");
    private static final Instant WINDOW_END = NOW.plus(Duration.ofMinutes(5));
    private static final Instant USED_SINCE = NOW.minus(Duration.ofHours(24));
    private static final GrantKey ACME = GrantKey.of("acme", "alice", "github-mcp");
    private static final GrantKey GLOBEX = GrantKey.of("globex", "alice", "github-mcp");

    private TestDatabase database;
    private EncryptedTokenStore tokens;
    private JdbcGrantUsage usage;

    protected abstract TestDatabase openDatabase();

    @BeforeAll
    void open() throws Exception {
        database = openDatabase();
        tokens = new EncryptedTokenStore(
                new JdbcSealedTokenStore(database.dataSource()),
                TinkCipher.of(Keyset.generate()),
                EncryptedTokenStore.Listener.NONE);
        usage = new JdbcGrantUsage(database.dataSource());
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
    void dueForRefresh_usedGrantExpiringInWindow_isDueWithItsFullKey() {
        store(ACME, NOW.plusSeconds(120));
        usage.recordUse(ACME, NOW.minusSeconds(60));

        assertThat(firstPage(100)).containsExactly(new DueGrant(ACME, NOW.plusSeconds(120)));
    }

    @Test
    void dueForRefresh_unusedOrIdle_isNotDue() {
        GrantKey unused = GrantKey.of("acme", "bob", "github-mcp");
        GrantKey idle = GrantKey.of("acme", "carol", "github-mcp");
        GrantKey usedAtTheLimit = GrantKey.of("acme", "dave", "github-mcp");
        store(unused, NOW.plusSeconds(60));
        store(idle, NOW.plusSeconds(60));
        store(usedAtTheLimit, NOW.plusSeconds(60));
        usage.recordUse(idle, USED_SINCE.minusSeconds(1));
        usage.recordUse(usedAtTheLimit, USED_SINCE);

        assertThat(firstPage(100)).extracting(DueGrant::key).containsExactly(usedAtTheLimit);
    }

    @Test
    void dueForRefresh_expiryOutsideTheWindowOrUnknown_isNotDue() {
        GrantKey expired = GrantKey.of("acme", "bob", "github-mcp");
        GrantKey later = GrantKey.of("acme", "carol", "github-mcp");
        GrantKey noExpiry = GrantKey.of("acme", "dave", "github-mcp");
        GrantKey atWindowStart = GrantKey.of("acme", "erin", "github-mcp");
        store(expired, NOW.minusSeconds(1));
        store(later, WINDOW_END);
        store(atWindowStart, NOW);
        assertThat(tokens.compareAndSet(
                        noExpiry, 0, new TokenSet(Secret.of("at"), Secret.of("rt"), "Bearer", Set.of(), null)))
                .isInstanceOf(StoreResult.Stored.class);
        for (GrantKey key : List.of(expired, later, noExpiry, atWindowStart)) {
            usage.recordUse(key, NOW);
        }

        assertThat(firstPage(100)).extracting(DueGrant::key).containsExactly(atWindowStart);
    }

    @Test
    void dueForRefresh_acrossTenants_pagesInExpiryThenKeyOrder() {
        List<DueGrant> expected = new ArrayList<>();
        // Ties in expiry are common (tokens issued in the same second): the key breaks them.
        for (String tenant : List.of("acme", "globex", "initech")) {
            for (int user = 0; user < 4; user++) {
                GrantKey key = GrantKey.of(tenant, "user-" + user, "github-mcp");
                Instant expiresAt = NOW.plusSeconds(60 + (user % 2) * 60L);
                store(key, expiresAt);
                usage.recordUse(key, NOW);
                expected.add(new DueGrant(key, expiresAt));
            }
        }
        expected.sort((a, b) -> a.expiresAt().equals(b.expiresAt())
                ? a.key().toString().compareTo(b.key().toString())
                : a.expiresAt().compareTo(b.expiresAt()));

        List<DueGrant> walked = new ArrayList<>();
        List<DueGrant> page = firstPage(5);
        while (!page.isEmpty()) {
            assertThat(page).hasSizeLessThanOrEqualTo(5);
            walked.addAll(page);
            page = usage.dueForRefresh(page.getLast(), WINDOW_END, USED_SINCE, 5);
        }

        assertThat(walked).containsExactlyElementsOf(expected);
    }

    @Test
    void dueForRefresh_leasedByARefreshInProgress_isNotDue() {
        store(ACME, NOW.plusSeconds(60));
        usage.recordUse(ACME, NOW);
        JdbcGrantLease lease = new JdbcGrantLease(database.dataSource());
        long fence = lease.tryAcquire(ACME, "replica-a", Duration.ofMinutes(1)).orElseThrow();

        assertThat(firstPage(100)).isEmpty();
        lease.release(ACME, "replica-a", fence);
        assertThat(firstPage(100)).extracting(DueGrant::key).containsExactly(ACME);
    }

    @Test
    void recordUse_neverMovesBack() {
        store(ACME, NOW.plusSeconds(60));
        usage.recordUse(ACME, NOW);
        usage.recordUse(ACME, USED_SINCE.minusSeconds(10));

        assertThat(firstPage(100)).extracting(DueGrant::key).containsExactly(ACME);
    }

    @Test
    void recordUse_otherTenantSameUserAndResource_isIndependent() {
        store(ACME, NOW.plusSeconds(60));
        store(GLOBEX, NOW.plusSeconds(60));
        usage.recordUse(GLOBEX, NOW);

        assertThat(firstPage(100)).extracting(DueGrant::key).containsExactly(GLOBEX);
    }

    @Test
    void recordUse_noGrantStored_doesNothingAndANewGrantStartsUnused() {
        usage.recordUse(ACME, NOW);
        store(ACME, NOW.plusSeconds(60));

        assertThat(firstPage(100)).isEmpty();
    }

    @Test
    void recordUse_leavesVersionAndTokensAlone() {
        TokenSet stored = store(ACME, NOW.plusSeconds(60));
        usage.recordUse(ACME, NOW);

        GrantLookup lookup = tokens.find(ACME);
        assertThat(lookup).isEqualTo(new GrantLookup.Found(new VersionedTokenSet(ACME, 1, stored)));
        assertThat(tokens.compareAndSet(ACME, 1, TestGrants.fresh(NOW))).isInstanceOf(StoreResult.Stored.class);
    }

    private List<DueGrant> firstPage(int limit) {
        return usage.dueForRefresh(NOW, WINDOW_END, USED_SINCE, limit);
    }

    private TokenSet store(GrantKey key, @Nullable Instant expiresAt) {
        TokenSet tokenSet =
                new TokenSet(Secret.of("at-" + key), Secret.of("rt-" + key), "Bearer", Set.of("read"), expiresAt);
        assertThat(tokens.compareAndSet(key, 0, tokenSet)).isInstanceOf(StoreResult.Stored.class);
        return tokenSet;
    }
}
