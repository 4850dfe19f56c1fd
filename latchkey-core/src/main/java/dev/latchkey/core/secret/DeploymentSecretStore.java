package dev.latchkey.core.secret;

import dev.latchkey.core.grant.Ciphertext;
import java.util.List;
import java.util.Optional;

/**
 * Where the deployment's own secrets (such as the API key pepper) are kept, sealed, one row per
 * name. Shared by every replica of a deployment. Implementations are thread-safe; an unreachable
 * store throws an unchecked exception of the adapter, never an empty answer.
 */
public interface DeploymentSecretStore {

    /** The sealed secret of that name, if one was stored. */
    Optional<Ciphertext> find(String name);

    /**
     * Stores a sealed secret unless one of that name exists already (also one stored a moment ago
     * by another replica); never overwrites.
     *
     * @return whether this call stored it
     */
    boolean insertIfAbsent(String name, Ciphertext sealed);

    /**
     * Replaces the ciphertext of a secret, only while it still is {@code expected}: two replicas
     * resealing at once both succeed or harmlessly lose, and nothing else is ever overwritten.
     *
     * @return whether the row was replaced
     */
    boolean reseal(String name, Ciphertext expected, Ciphertext resealed);

    /** The names of every stored secret, sorted. */
    List<String> names();
}
