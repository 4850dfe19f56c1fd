package dev.latchkey.core.secret;

import dev.latchkey.core.grant.Ciphertext;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;

/** A {@link DeploymentSecretStore} in a map, with the same insert-if-absent and reseal semantics. */
public final class InMemoryDeploymentSecretStore implements DeploymentSecretStore {
    final Map<String, Ciphertext> rows = new ConcurrentSkipListMap<>();

    @Override
    public Optional<Ciphertext> find(String name) {
        return Optional.ofNullable(rows.get(name));
    }

    @Override
    public boolean insertIfAbsent(String name, Ciphertext sealed) {
        return rows.putIfAbsent(name, sealed) == null;
    }

    @Override
    public boolean reseal(String name, Ciphertext expected, Ciphertext resealed) {
        return rows.replace(name, expected, resealed);
    }

    @Override
    public List<String> names() {
        return List.copyOf(rows.keySet());
    }
}
