package dev.latchkey.bench;

import dev.latchkey.core.crypto.Keyset;
import dev.latchkey.core.crypto.TinkCipher;
import dev.latchkey.core.grant.EncryptedTokenStore;
import dev.latchkey.core.grant.GrantKey;
import dev.latchkey.core.grant.GrantLookup;
import dev.latchkey.core.grant.StoreResult;
import dev.latchkey.core.grant.TokenSet;
import dev.latchkey.core.secret.Secret;
import dev.latchkey.store.Database;
import dev.latchkey.store.JdbcSealedTokenStore;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Throughput of the encrypted token store over the real JDBC store: an encrypted read (select,
 * authenticated decryption, decode) and a compare-and-set write (encode, seal, conditional update),
 * on embedded H2 and on PostgreSQL. Each trial starts from a fresh database of {@value #GRANTS}
 * grants.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
// JMH creates the state and fills these fields in @Setup before any benchmark method runs.
@SuppressWarnings("NullAway.Init")
public class StoreBenchmark {
    static final int GRANTS = 1_000;
    private static final Instant EXPIRY = Instant.parse("2030-01-01T00:00:00Z");

    @Param({"h2", "postgresql"})
    public String database;

    private BenchDatabase opened;
    private Database db;
    private EncryptedTokenStore tokens;
    private List<GrantKey> keys;
    private final AtomicInteger writers = new AtomicInteger();

    @Setup(Level.Trial)
    public void open() throws Exception {
        opened = BenchDatabase.open(database);
        db = opened.database();
        tokens = new EncryptedTokenStore(
                new JdbcSealedTokenStore(db.dataSource()),
                TinkCipher.of(Keyset.generate()),
                EncryptedTokenStore.Listener.NONE);
        List<GrantKey> created = new ArrayList<>();
        for (int i = 0; i < GRANTS; i++) {
            GrantKey key = GrantKey.of("tenant-" + (i % 10), "user-" + i, "github-mcp");
            tokens.compareAndSet(key, 0, tokenSet());
            created.add(key);
        }
        keys = List.copyOf(created);
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        opened.close();
    }

    /** Each thread reads the grants in turn. */
    @State(Scope.Thread)
    public static class ReadCursor {
        int next;
    }

    /** Each thread writes its own grant, so every compare-and-set names the current version. */
    @State(Scope.Thread)
    @SuppressWarnings("NullAway.Init")
    public static class Writer {
        GrantKey key;
        long version;

        @Setup(Level.Trial)
        public void claim(StoreBenchmark store) {
            key = GrantKey.of("tenant-bench", "writer-" + store.writers.incrementAndGet(), "github-mcp");
            version = 0;
        }
    }

    @Benchmark
    public GrantLookup encryptedRead(ReadCursor cursor) {
        GrantLookup found = tokens.find(keys.get(cursor.next));
        cursor.next = (cursor.next + 1) % keys.size();
        return found;
    }

    @Benchmark
    public StoreResult compareAndSetWrite(Writer writer) {
        StoreResult result = tokens.compareAndSet(writer.key, writer.version, tokenSet());
        if (!(result instanceof StoreResult.Stored stored)) {
            throw new IllegalStateException("a single writer per grant lost a race: " + result);
        }
        writer.version = stored.stored().version();
        return result;
    }

    private static TokenSet tokenSet() {
        String unique = UUID.randomUUID().toString();
        return new TokenSet(
                Secret.of("access-" + unique), Secret.of("refresh-" + unique), "Bearer", Set.of("repo"), EXPIRY);
    }
}
