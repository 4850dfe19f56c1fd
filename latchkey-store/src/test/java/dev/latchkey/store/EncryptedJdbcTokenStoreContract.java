package dev.latchkey.store;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import dev.latchkey.core.crypto.AssociatedData;
import dev.latchkey.core.crypto.InvalidKeysetException;
import dev.latchkey.core.crypto.Keyset;
import dev.latchkey.core.crypto.TinkCipher;
import dev.latchkey.core.grant.Ciphertext;
import dev.latchkey.core.grant.EncryptedTokenStore;
import dev.latchkey.core.grant.GrantKey;
import dev.latchkey.core.grant.GrantLookup;
import dev.latchkey.core.grant.StoreResult;
import dev.latchkey.core.grant.TokenSet;
import dev.latchkey.core.grant.VersionedTokenSet;
import dev.latchkey.core.secret.Secret;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Core's {@link EncryptedTokenStore} over the real JDBC store and a real Tink keyset: what reaches
 * the database is ciphertext bound to its row, and rows survive key rotation (security cases
 * C8-01 to C8-04). Run against each database by a subclass.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class EncryptedJdbcTokenStoreContract {
    private static final GrantKey ALICE = GrantKey.of("acme", "alice", "github-mcp");
    private static final Instant EXPIRY = Instant.parse("2030-01-02T03:04:05Z");
    private static final SecureRandom RANDOM = new SecureRandom();

    private TestDatabase database;
    private JdbcSealedTokenStore sealed;
    private Keyset keyset;
    private EncryptedTokenStore tokens;
    private final List<String> unreadable = new CopyOnWriteArrayList<>();
    private final List<GrantKey> resealed = new CopyOnWriteArrayList<>();
    private final EncryptedTokenStore.Listener listener = new EncryptedTokenStore.Listener() {
        @Override
        public void unreadable(GrantKey key, String reason) {
            unreadable.add(key + " " + reason);
        }

        @Override
        public void resealed(GrantKey key) {
            resealed.add(key);
        }
    };

    protected abstract TestDatabase openDatabase();

    @BeforeAll
    void open() {
        database = openDatabase();
        sealed = new JdbcSealedTokenStore(database.dataSource());
    }

    @AfterAll
    void close() {
        database.close();
    }

    @BeforeEach
    void clear() throws InvalidKeysetException {
        database.update("DELETE FROM token_sets");
        unreadable.clear();
        resealed.clear();
        keyset = Keyset.generate();
        tokens = storeUnder(keyset);
    }

    @Test
    void find_afterCompareAndSet_opensTheTokens() {
        TokenSet stored = tokenSet("round-trip");

        assertThat(tokens.compareAndSet(ALICE, 0, stored))
                .isEqualTo(new StoreResult.Stored(new VersionedTokenSet(ALICE, 1, stored)));
        assertThat(tokens.find(ALICE)).isEqualTo(new GrantLookup.Found(new VersionedTokenSet(ALICE, 1, stored)));
    }

    @Test
    void compareAndSet_lostRace_returnsTheWinnersTokens() {
        tokens.compareAndSet(ALICE, 0, tokenSet("first"));
        TokenSet winner = tokenSet("winner");
        tokens.compareAndSet(ALICE, 1, winner);

        StoreResult late = tokens.compareAndSet(ALICE, 1, tokenSet("late"));

        assertThat(late)
                .isEqualTo(new StoreResult.LostRace(new GrantLookup.Found(new VersionedTokenSet(ALICE, 2, winner))));
    }

    static Stream<Arguments> transplantTargets() {
        return Stream.of(
                Arguments.of("another user", GrantKey.of("acme", "bob", "github-mcp")),
                Arguments.of("another resource", GrantKey.of("acme", "alice", "graph")),
                Arguments.of("another tenant", GrantKey.of("globex", "alice", "github-mcp")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("transplantTargets")
    void find_ciphertextCopiedFromAnotherRow_isUnreadable(String target, GrantKey victim) {
        tokens.compareAndSet(ALICE, 0, tokenSet("alice"));
        tokens.compareAndSet(victim, 0, tokenSet("victim"));
        tokens.compareAndSet(victim, 1, tokenSet("victim refreshed"));

        int copied = database.update(
                "UPDATE token_sets SET ciphertext = (SELECT ciphertext FROM token_sets"
                        + " WHERE tenant = ? AND user_id = ? AND resource = ?)"
                        + " WHERE tenant = ? AND user_id = ? AND resource = ?",
                ALICE.tenant().value(),
                ALICE.user().value(),
                ALICE.resource().value(),
                victim.tenant().value(),
                victim.user().value(),
                victim.resource().value());

        assertThat(copied).isEqualTo(1);
        assertThat(tokens.find(victim)).isEqualTo(new GrantLookup.Unreadable(victim, 2));
        assertThat(unreadable).containsExactly(victim + " ciphertext_integrity_failure");
        assertThat(tokens.listForUser(victim.tenant(), victim.user()))
                .extracting(grant -> grant.key())
                .doesNotContain(victim);
        // The unreadable row is replaced by naming its version, as after a fresh authorization.
        assertThat(tokens.compareAndSet(victim, 2, tokenSet("reconnected"))).isInstanceOf(StoreResult.Stored.class);
    }

    static Stream<Arguments> corruptions() {
        return Stream.of(
                Arguments.of("one bit flipped", (UnaryOperator<byte[]>) bytes -> {
                    byte[] flipped = bytes.clone();
                    flipped[flipped.length / 2] ^= 0x01;
                    return flipped;
                }),
                Arguments.of("truncated by one byte", (UnaryOperator<byte[]>)
                        bytes -> Arrays.copyOf(bytes, bytes.length - 1)),
                Arguments.of("empty", (UnaryOperator<byte[]>) bytes -> new byte[0]),
                Arguments.of("random bytes", (UnaryOperator<byte[]>) bytes -> {
                    byte[] random = new byte[bytes.length];
                    RANDOM.nextBytes(random);
                    return random;
                }),
                Arguments.of("sealed by a foreign keyset", (UnaryOperator<byte[]>) bytes -> foreignCiphertext()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corruptions")
    void find_corruptedCiphertext_isUnreadable(String corruption, UnaryOperator<byte[]> corrupt) {
        tokens.compareAndSet(ALICE, 0, tokenSet("alice"));
        byte[] stored = sealed.find(ALICE).orElseThrow().ciphertext().bytes();

        setCiphertext(ALICE, corrupt.apply(stored));

        assertThat(tokens.find(ALICE)).isEqualTo(new GrantLookup.Unreadable(ALICE, 1));
        assertThat(unreadable).hasSize(1);
    }

    @Test
    void find_afterRotation_opensOldRowAndResealsItUnderTheNewPrimary() throws InvalidKeysetException {
        TokenSet old = tokenSet("sealed under the first key");
        tokens.compareAndSet(ALICE, 0, old);
        tokens.compareAndSet(ALICE, 1, old);
        Keyset rotated = keyset.rotate();
        TinkCipher newCipher = TinkCipher.of(rotated);
        assertThat(newCipher.isSealedWithPrimary(storedCiphertext(ALICE))).isFalse();

        GrantLookup found = storeUnder(rotated).find(ALICE);

        assertThat(found).isEqualTo(new GrantLookup.Found(new VersionedTokenSet(ALICE, 2, old)));
        assertThat(newCipher.isSealedWithPrimary(storedCiphertext(ALICE))).isTrue();
        assertThat(sealed.find(ALICE).orElseThrow().version()).isEqualTo(2);
        assertThat(resealed).containsExactly(ALICE);
    }

    @Test
    void resealAll_afterRotation_resealsEveryOldRowAndKeepsVersions() throws InvalidKeysetException {
        List<GrantKey> keys = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            GrantKey key = GrantKey.of(i % 2 == 0 ? "acme" : "globex", "user-" + i, "github-mcp");
            tokens.compareAndSet(key, 0, tokenSet("row " + i));
            keys.add(key);
        }
        Keyset rotated = keyset.rotate();
        TinkCipher newCipher = TinkCipher.of(rotated);
        EncryptedTokenStore afterRotation = storeUnder(rotated);
        afterRotation.compareAndSet(keys.getFirst(), 1, tokenSet("written after rotation"));

        long count = afterRotation.resealAll(3);

        assertThat(count).isEqualTo(6);
        for (GrantKey key : keys) {
            assertThat(newCipher.isSealedWithPrimary(storedCiphertext(key)))
                    .as(key.toString())
                    .isTrue();
            assertThat(afterRotation.find(key)).isInstanceOf(GrantLookup.Found.class);
        }
        assertThat(sealed.find(keys.get(1)).orElseThrow().version()).isEqualTo(1);
        assertThat(sealed.find(keys.getFirst()).orElseThrow().version()).isEqualTo(2);
        assertThat(afterRotation.resealAll(3)).isZero();
    }

    @Test
    void find_oldKeyDisabledBeforeReseal_unmigratedRowIsUnreadable() throws InvalidKeysetException {
        GrantKey migrated = GrantKey.of("acme", "bob", "github-mcp");
        tokens.compareAndSet(ALICE, 0, tokenSet("never resealed"));
        tokens.compareAndSet(migrated, 0, tokenSet("resealed"));
        Keyset rotated = keyset.rotate();
        storeUnder(rotated).find(migrated);

        Keyset disabled = rotated.disable(keyset.primaryKeyId());
        EncryptedTokenStore afterDisable = storeUnder(disabled);

        assertThat(afterDisable.find(ALICE)).isEqualTo(new GrantLookup.Unreadable(ALICE, 1));
        assertThat(afterDisable.find(migrated)).isInstanceOf(GrantLookup.Found.class);
    }

    @Test
    void database_afterWritesRotationAndReseal_holdsNoPlaintextToken() throws Exception {
        List<String> secrets = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            TokenSet set = tokenSet("scan " + i);
            secrets.add(set.accessToken().reveal());
            secrets.add(set.refreshTokenIfAny().orElseThrow().reveal());
            GrantKey key = GrantKey.of("acme", "user-" + i, "github-mcp");
            tokens.compareAndSet(key, 0, set);
            tokens.compareAndSet(key, 1, set);
        }
        storeUnder(keyset.rotate()).resealAll(2);

        List<String> values = allStoredValues();

        assertThat(values).isNotEmpty();
        for (String secret : secrets) {
            assertThat(values).noneMatch(value -> value.contains(secret));
        }
        for (Path file : database.files()) {
            String content = new String(Files.readAllBytes(file), ISO_8859_1);
            for (String secret : secrets) {
                assertThat(content).as(file.getFileName().toString()).doesNotContain(secret);
            }
        }
    }

    /** Every value of every column of every row in the schema, bytes read as Latin-1 text. */
    private List<String> allStoredValues() throws SQLException {
        List<String> values = new ArrayList<>();
        try (Connection connection = database.dataSource().getConnection()) {
            List<String> tables = new ArrayList<>();
            try (Statement statement = connection.createStatement();
                    ResultSet result = statement.executeQuery(
                            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")) {
                while (result.next()) {
                    tables.add(result.getString(1));
                }
            }
            assertThat(tables).contains("token_sets", "audit_events");
            for (String table : tables) {
                try (Statement statement = connection.createStatement();
                        ResultSet result = statement.executeQuery("SELECT * FROM " + table)) {
                    ResultSetMetaData meta = result.getMetaData();
                    while (result.next()) {
                        for (int column = 1; column <= meta.getColumnCount(); column++) {
                            values.add(valueAsText(result, column, meta.getColumnType(column)));
                        }
                    }
                }
            }
        }
        return values;
    }

    private static String valueAsText(ResultSet result, int column, int type) throws SQLException {
        if (type == Types.BINARY || type == Types.VARBINARY || type == Types.LONGVARBINARY || type == Types.BLOB) {
            byte[] bytes = result.getBytes(column);
            return bytes == null ? "" : new String(bytes, ISO_8859_1);
        }
        String text = result.getString(column);
        return text == null ? "" : text;
    }

    private EncryptedTokenStore storeUnder(Keyset keys) throws InvalidKeysetException {
        return new EncryptedTokenStore(sealed, TinkCipher.of(keys), listener);
    }

    private Ciphertext storedCiphertext(GrantKey key) {
        return sealed.find(key).orElseThrow().ciphertext();
    }

    private void setCiphertext(GrantKey key, byte[] ciphertext) {
        database.update(
                "UPDATE token_sets SET ciphertext = ? WHERE tenant = ? AND user_id = ? AND resource = ?",
                ciphertext,
                key.tenant().value(),
                key.user().value(),
                key.resource().value());
    }

    private static byte[] foreignCiphertext() {
        try {
            TinkCipher foreign = TinkCipher.of(Keyset.generate());
            return foreign.seal("{}".getBytes(US_ASCII), AssociatedData.forGrant(ALICE))
                    .bytes();
        } catch (InvalidKeysetException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A token set whose tokens are unique strings, so a scan can look for them. */
    private static TokenSet tokenSet(String label) {
        String unique = UUID.randomUUID().toString();
        return new TokenSet(
                Secret.of("at-" + label.replace(' ', '-') + "-" + unique),
                Secret.of("rt-" + label.replace(' ', '-') + "-" + unique),
                "Bearer",
                Set.of("repo", "read:user"),
                EXPIRY);
    }
}
