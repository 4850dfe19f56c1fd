package dev.latchkey.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.latchkey.core.crypto.Keyset;
import dev.latchkey.core.crypto.TinkCipher;
import dev.latchkey.core.grant.Ciphertext;
import dev.latchkey.core.secret.DeploymentSecretUnreadableException;
import dev.latchkey.core.secret.DeploymentSecrets;
import dev.latchkey.core.secret.Secret;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The {@link JdbcDeploymentSecretStore} contract on each database, with {@link DeploymentSecrets} on top. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class DeploymentSecretStoreContract {
    private static final Ciphertext A = Ciphertext.of(new byte[] {1, 2, 3, 0, (byte) 0xFF});
    private static final Ciphertext B = Ciphertext.of(new byte[] {9, 8, 7});

    private TestDatabase database;
    private JdbcDeploymentSecretStore store;

    protected abstract TestDatabase openDatabase();

    @BeforeAll
    void open() {
        database = openDatabase();
        store = new JdbcDeploymentSecretStore(database.dataSource());
    }

    @AfterAll
    void close() {
        database.close();
    }

    @BeforeEach
    void clear() {
        database.update("DELETE FROM deployment_secrets");
    }

    @Test
    void insertIfAbsent_thenFind_roundTripsBytes() {
        assertThat(store.find("pepper")).isEmpty();

        assertThat(store.insertIfAbsent("pepper", A)).isTrue();

        assertThat(store.find("pepper")).contains(A);
        assertThat(store.names()).containsExactly("pepper");
    }

    @Test
    void insertIfAbsent_nameTaken_keepsFirstAndAnswersFalse() {
        store.insertIfAbsent("pepper", A);

        assertThat(store.insertIfAbsent("pepper", B)).isFalse();

        assertThat(store.find("pepper")).contains(A);
    }

    @Test
    void reseal_expectedCiphertext_replaces_otherwiseNot() {
        store.insertIfAbsent("pepper", A);

        assertThat(store.reseal("pepper", B, B)).isFalse();
        assertThat(store.find("pepper")).contains(A);
        assertThat(store.reseal("pepper", A, B)).isTrue();
        assertThat(store.find("pepper")).contains(B);
        assertThat(store.reseal("absent", A, B)).isFalse();
    }

    @Test
    void names_sorted() {
        store.insertIfAbsent("b", B);
        store.insertIfAbsent("a", A);

        assertThat(store.names()).containsExactly("a", "b");
    }

    @Test
    void getOrCreate_replicasRaceAtFirstStart_allGetTheSameSecret() throws Exception {
        Keyset keyset = Keyset.generate();
        int replicas = 6;
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Secret>> results = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(replicas)) {
            for (int i = 0; i < replicas; i++) {
                // Each replica has its own store and cipher over the shared database.
                DeploymentSecrets replica = new DeploymentSecrets(
                        new JdbcDeploymentSecretStore(database.dataSource()), TinkCipher.of(keyset));
                results.add(pool.submit(() -> {
                    go.await();
                    return replica.getOrCreate(DeploymentSecrets.API_KEY_PEPPER);
                }));
            }
            go.countDown();
            Secret first = results.getFirst().get();
            for (Future<Secret> result : results) {
                assertThat(result.get()).isEqualTo(first);
            }
        }
        assertThat(store.names()).containsExactly(DeploymentSecrets.API_KEY_PEPPER);
    }

    @Test
    void getOrCreate_rotateResealDisable_keepsTheSecret_storesNoPlaintext() throws Exception {
        Keyset old = Keyset.generate();
        Secret pepper = new DeploymentSecrets(store, TinkCipher.of(old)).getOrCreate("pepper");
        Keyset rotated = old.rotate();

        assertThat(new DeploymentSecrets(store, TinkCipher.of(rotated)).resealAll())
                .isEqualTo(1);

        DeploymentSecrets withoutOld = new DeploymentSecrets(store, TinkCipher.of(rotated.disable(old.primaryKeyId())));
        assertThat(withoutOld.getOrCreate("pepper")).isEqualTo(pepper);
        for (Path file : database.files()) {
            assertThat(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1))
                    .doesNotContain(pepper.reveal());
        }
    }

    @Test
    void getOrCreate_keysetLost_failsAndKeepsTheRow() throws Exception {
        new DeploymentSecrets(store, TinkCipher.of(Keyset.generate())).getOrCreate("pepper");
        Ciphertext before = store.find("pepper").orElseThrow();

        DeploymentSecrets other = new DeploymentSecrets(store, TinkCipher.of(Keyset.generate()));

        assertThatThrownBy(() -> other.getOrCreate("pepper"))
                .isInstanceOf(DeploymentSecretUnreadableException.class)
                .hasMessageContaining("cannot be decrypted");
        assertThat(store.find("pepper")).contains(before);
    }
}
