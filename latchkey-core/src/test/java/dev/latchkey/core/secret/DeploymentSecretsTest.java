package dev.latchkey.core.secret;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.latchkey.core.crypto.AssociatedData;
import dev.latchkey.core.crypto.Keyset;
import dev.latchkey.core.crypto.TinkCipher;
import dev.latchkey.core.grant.Ciphertext;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class DeploymentSecretsTest {
    private final InMemoryDeploymentSecretStore store = new InMemoryDeploymentSecretStore();

    private Ciphertext stored(String name) {
        return store.find(name).orElseThrow();
    }

    private DeploymentSecrets secrets(Keyset keyset) throws Exception {
        return new DeploymentSecrets(store, TinkCipher.of(keyset));
    }

    @Test
    void getOrCreate_firstUse_storesOnlyCiphertextOf32RandomBytes() throws Exception {
        Secret pepper = secrets(Keyset.generate()).getOrCreate(DeploymentSecrets.API_KEY_PEPPER);

        assertThat(pepper.reveal()).matches("[A-Za-z0-9_-]{43}");
        byte[] stored = stored(DeploymentSecrets.API_KEY_PEPPER).bytes();
        assertThat(new String(stored, StandardCharsets.ISO_8859_1)).doesNotContain(pepper.reveal());
        assertThat(secrets(Keyset.generate()).getOrCreate("other").reveal()).isNotEqualTo(pepper.reveal());
    }

    @Test
    void getOrCreate_again_returnsSameSecret() throws Exception {
        Keyset keyset = Keyset.generate();
        Secret first = secrets(keyset).getOrCreate("pepper");

        assertThat(secrets(keyset).getOrCreate("pepper")).isEqualTo(first);
        assertThat(store.rows).hasSize(1);
    }

    @Test
    void getOrCreate_replicasRaceAtFirstStart_allGetTheSameSecret() throws Exception {
        Keyset keyset = Keyset.generate();
        int replicas = 8;
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Secret>> results = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(replicas)) {
            for (int i = 0; i < replicas; i++) {
                DeploymentSecrets replica = secrets(keyset);
                results.add(pool.submit(() -> {
                    go.await();
                    return replica.getOrCreate("pepper");
                }));
            }
            go.countDown();
            Secret first = results.getFirst().get();
            for (Future<Secret> result : results) {
                assertThat(result.get()).isEqualTo(first);
            }
        }
    }

    @Test
    void getOrCreate_raceLostBetweenFindAndInsert_returnsTheWinner() throws Exception {
        Keyset keyset = Keyset.generate();
        TinkCipher cipher = TinkCipher.of(keyset);
        Ciphertext winner = cipher.seal(
                "w".repeat(43).getBytes(StandardCharsets.UTF_8),
                AssociatedData.of("latchkey/deployment-secret/v1", "pepper"));
        // The other replica inserts after this one looked and found nothing.
        DeploymentSecretStore racing = new DeploymentSecretStore() {
            private boolean looked;

            @Override
            public Optional<Ciphertext> find(String name) {
                if (!looked) {
                    looked = true;
                    store.rows.put(name, winner);
                    return Optional.empty();
                }
                return store.find(name);
            }

            @Override
            public boolean insertIfAbsent(String name, Ciphertext sealed) {
                return store.insertIfAbsent(name, sealed);
            }

            @Override
            public boolean reseal(String name, Ciphertext expected, Ciphertext resealed) {
                return store.reseal(name, expected, resealed);
            }

            @Override
            public List<String> names() {
                return store.names();
            }
        };

        Secret secret = new DeploymentSecrets(racing, cipher).getOrCreate("pepper");

        assertThat(secret.reveal()).isEqualTo("w".repeat(43));
        assertThat(stored("pepper")).isEqualTo(winner);
    }

    @Test
    void getOrCreate_sealedUnderDisabledKey_failsAndKeepsTheRow() throws Exception {
        Keyset old = Keyset.generate();
        secrets(old).getOrCreate("pepper");
        Ciphertext before = stored("pepper");
        Keyset oldDisabled = old.rotate().disable(old.primaryKeyId());

        DeploymentSecrets secrets = secrets(oldDisabled);

        assertThatThrownBy(() -> secrets.getOrCreate("pepper"))
                .isInstanceOf(DeploymentSecretUnreadableException.class)
                .hasMessageContaining("'pepper'")
                .hasMessageContaining("cannot be decrypted");
        assertThat(stored("pepper")).isEqualTo(before);
    }

    @Test
    void getOrCreate_unknownKeyset_failsRatherThanReplacing() throws Exception {
        secrets(Keyset.generate()).getOrCreate("pepper");

        DeploymentSecrets other = secrets(Keyset.generate());

        assertThatThrownBy(() -> other.getOrCreate("pepper")).isInstanceOf(DeploymentSecretUnreadableException.class);
    }

    @Test
    void getOrCreate_rowCopiedUnderAnotherName_doesNotOpen() throws Exception {
        Keyset keyset = Keyset.generate();
        secrets(keyset).getOrCreate("pepper");
        store.rows.put("copy", stored("pepper"));

        DeploymentSecrets secrets = secrets(keyset);

        assertThatThrownBy(() -> secrets.getOrCreate("copy")).isInstanceOf(DeploymentSecretUnreadableException.class);
    }

    @Test
    void getOrCreate_sealedWithOlderKey_resealedUnderPrimaryOnRead() throws Exception {
        Keyset old = Keyset.generate();
        Secret pepper = secrets(old).getOrCreate("pepper");
        Keyset rotated = old.rotate();
        TinkCipher cipher = TinkCipher.of(rotated);
        assertThat(cipher.isSealedWithPrimary(stored("pepper"))).isFalse();

        assertThat(secrets(rotated).getOrCreate("pepper")).isEqualTo(pepper);

        assertThat(cipher.isSealedWithPrimary(stored("pepper"))).isTrue();
        assertThat(secrets(rotated.disable(old.primaryKeyId())).getOrCreate("pepper"))
                .isEqualTo(pepper);
    }

    @Test
    void resealAll_afterRotation_resealsOnlyOldRows() throws Exception {
        Keyset old = Keyset.generate();
        Secret a = secrets(old).getOrCreate("a");
        Secret b = secrets(old).getOrCreate("b");
        Keyset rotated = old.rotate();
        secrets(rotated).getOrCreate("c");

        assertThat(secrets(rotated).resealAll()).isEqualTo(2);
        assertThat(secrets(rotated).resealAll()).isZero();

        DeploymentSecrets withoutOld = secrets(rotated.disable(old.primaryKeyId()));
        assertThat(withoutOld.getOrCreate("a")).isEqualTo(a);
        assertThat(withoutOld.getOrCreate("b")).isEqualTo(b);
    }

    @Test
    void getOrCreate_invalidName_refused() throws Exception {
        DeploymentSecrets secrets = secrets(Keyset.generate());

        assertThatThrownBy(() -> secrets.getOrCreate("Bad Name")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> secrets.getOrCreate("")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void toString_revealsNothing() throws Exception {
        assertThat(secrets(Keyset.generate())).hasToString("DeploymentSecrets");
    }
}
