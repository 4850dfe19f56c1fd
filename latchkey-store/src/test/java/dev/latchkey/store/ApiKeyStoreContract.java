package dev.latchkey.store;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.latchkey.core.identity.ApiKey;
import dev.latchkey.core.identity.ApiKeyAuthentication;
import dev.latchkey.core.identity.ApiKeyCreation;
import dev.latchkey.core.identity.ApiKeyId;
import dev.latchkey.core.identity.ApiKeys;
import dev.latchkey.core.identity.ExternalIdentity;
import dev.latchkey.core.identity.IdentityPolicy;
import dev.latchkey.core.identity.StoredApiKey;
import dev.latchkey.core.identity.User;
import dev.latchkey.core.identity.UserId;
import dev.latchkey.core.secret.Secret;
import dev.latchkey.core.tenant.TenantId;
import dev.latchkey.testkit.MutableClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The {@link dev.latchkey.core.identity.ApiKeyStore} contract on each database, with {@link ApiKeys} on top. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ApiKeyStoreContract {
    private static final TenantId ACME = TenantId.of("acme");
    private static final TenantId GLOBEX = TenantId.of("globex");
    private static final UserId ALICE = UserId.of("u-alice");
    private static final Instant CREATED = Instant.parse("2030-01-01T00:00:00.123456Z");
    private static final String HASH = "ab".repeat(32);

    private TestDatabase database;
    private JdbcApiKeyStore store;
    private JdbcUserDirectory directory;
    private final MutableClock clock = MutableClock.atFixedStart();

    protected abstract TestDatabase openDatabase();

    @BeforeAll
    void open() {
        database = openDatabase();
        store = new JdbcApiKeyStore(database.dataSource());
        directory = new JdbcUserDirectory(database.dataSource());
    }

    @AfterAll
    void close() {
        database.close();
    }

    @BeforeEach
    void clear() {
        database.update("DELETE FROM api_keys");
        database.update("DELETE FROM identity_bindings");
        database.update("DELETE FROM users");
    }

    @Test
    void insert_thenFind_roundTripsEveryField() {
        StoredApiKey stored = stored(ACME, "AAAAAAAAAAAAAAA1", ALICE, CREATED, Instant.parse("2031-02-03T04:05:06Z"));

        store.insert(stored);

        assertThat(store.find(ACME, ApiKeyId.of("AAAAAAAAAAAAAAA1"))).contains(stored);
        assertThat(store.find(GLOBEX, ApiKeyId.of("AAAAAAAAAAAAAAA1"))).isEmpty();
    }

    @Test
    void insert_sameIdTwiceInTenant_refusedButAllowedInAnotherTenant() {
        store.insert(stored(ACME, "AAAAAAAAAAAAAAA1", ALICE, CREATED, null));

        assertThatThrownBy(() -> store.insert(stored(ACME, "AAAAAAAAAAAAAAA1", ALICE, CREATED, null)))
                .isInstanceOf(IllegalStateException.class);
        store.insert(stored(GLOBEX, "AAAAAAAAAAAAAAA1", ALICE, CREATED, null));
        assertThat(store.find(GLOBEX, ApiKeyId.of("AAAAAAAAAAAAAAA1"))).isPresent();
    }

    @Test
    void list_ownersKeysInTenantNewestFirst() {
        store.insert(stored(ACME, "AAAAAAAAAAAAAAA1", ALICE, CREATED, null));
        store.insert(stored(ACME, "AAAAAAAAAAAAAAA2", ALICE, CREATED.plusSeconds(60), null));
        store.insert(stored(ACME, "AAAAAAAAAAAAAAA3", UserId.of("u-bob"), CREATED, null));
        store.insert(stored(GLOBEX, "AAAAAAAAAAAAAAA4", ALICE, CREATED, null));

        assertThat(store.list(ACME, ALICE))
                .extracting(key -> key.id().value())
                .containsExactly("AAAAAAAAAAAAAAA2", "AAAAAAAAAAAAAAA1");
    }

    @Test
    void revoke_onlyOwnerOnlyOnceOnlyInTenant() {
        store.insert(stored(ACME, "AAAAAAAAAAAAAAA1", ALICE, CREATED, null));
        ApiKeyId id = ApiKeyId.of("AAAAAAAAAAAAAAA1");
        Instant at = CREATED.plusSeconds(5);

        assertThat(store.revoke(ACME, UserId.of("u-bob"), id, at)).isFalse();
        assertThat(store.revoke(GLOBEX, ALICE, id, at)).isFalse();
        assertThat(store.revoke(ACME, ALICE, id, at)).isTrue();
        assertThat(store.revoke(ACME, ALICE, id, at.plusSeconds(1))).isFalse();
        assertThat(store.find(ACME, id).orElseThrow().key().revocation()).contains(at);
    }

    @Test
    void recordUse_setsLastUsed() {
        store.insert(stored(ACME, "AAAAAAAAAAAAAAA1", ALICE, CREATED, null));

        store.recordUse(ACME, ApiKeyId.of("AAAAAAAAAAAAAAA1"), CREATED.plusSeconds(9));

        assertThat(store.find(ACME, ApiKeyId.of("AAAAAAAAAAAAAAA1"))
                        .orElseThrow()
                        .key()
                        .lastUse())
                .contains(CREATED.plusSeconds(9));
    }

    /** C2-08, C8-03: the database holds the public id and a keyed hash, never the key. */
    @Test
    void apiKeys_createdKey_noColumnOrDatabaseFileHoldsIt() throws SQLException, IOException {
        ApiKeys apiKeys = apiKeys();
        directory.provision(
                new User(ACME, ALICE, "alice@corp.test", true, Set.of()),
                new ExternalIdentity(ACME, "https://idp.test", "sub-alice"));
        ApiKeyCreation.Created created = (ApiKeyCreation.Created) apiKeys.create(
                ACME, ALICE, Set.of("tokens:read"), clock.instant().plus(Duration.ofDays(1)));
        String plaintext = created.plaintext().reveal();
        String secretPart = plaintext.substring(plaintext.lastIndexOf('_') + 1);

        List<String> values = rowValues("SELECT * FROM api_keys");
        assertThat(values).contains(created.key().id().value());
        assertThat(values).noneMatch(value -> value.contains(secretPart));
        for (Path file : database.files()) {
            assertThat(new String(Files.readAllBytes(file), UTF_8)).doesNotContain(secretPart);
        }

        assertThat(apiKeys.authenticate(ACME, created.plaintext()))
                .isInstanceOf(ApiKeyAuthentication.Authenticated.class);
        assertThat(apiKeys.authenticate(GLOBEX, created.plaintext()))
                .isEqualTo(new ApiKeyAuthentication.Refused(ApiKeyAuthentication.Reason.UNKNOWN));
        assertThat(apiKeys.revoke(ACME, ALICE, created.key().id())).isTrue();
        assertThat(apiKeys.authenticate(ACME, created.plaintext()))
                .isEqualTo(new ApiKeyAuthentication.Refused(ApiKeyAuthentication.Reason.REVOKED));
    }

    private ApiKeys apiKeys() {
        IdentityPolicy enabled = IdentityPolicy.defaults().withApiKeys(true);
        return new ApiKeys(
                store,
                directory,
                tenant -> Optional.of(enabled),
                Secret.of("a-pepper-of-at-least-thirty-two-bytes!!"),
                new JdbcAuditLog(database.dataSource()),
                clock);
    }

    private List<String> rowValues(String query) throws SQLException {
        List<String> values = new ArrayList<>();
        try (Connection connection = database.dataSource().getConnection();
                Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery(query)) {
            int columns = row.getMetaData().getColumnCount();
            while (row.next()) {
                for (int column = 1; column <= columns; column++) {
                    String value = row.getString(column);
                    if (value != null) {
                        values.add(value);
                    }
                }
            }
        }
        return values;
    }

    private static StoredApiKey stored(
            TenantId tenant, String id, UserId owner, Instant created, @Nullable Instant expires) {
        return new StoredApiKey(
                new ApiKey(
                        tenant, ApiKeyId.of(id), owner, Set.of("tokens:read", "proxy"), expires, null, created, null),
                HASH);
    }
}
