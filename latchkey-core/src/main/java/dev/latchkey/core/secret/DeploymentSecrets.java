package dev.latchkey.core.secret;

import dev.latchkey.core.crypto.AssociatedData;
import dev.latchkey.core.crypto.Cipher;
import dev.latchkey.core.crypto.DecryptionFailedException;
import dev.latchkey.core.grant.Ciphertext;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The deployment's own random secrets, each generated once (at the first start of the first
 * replica) and kept sealed by the {@link Cipher} in a {@link DeploymentSecretStore}, bound to its
 * name as associated data ({@code latchkey/deployment-secret/v1}, name), so that a row copied under
 * another name does not open.
 *
 * <p>{@link #getOrCreate} is safe when replicas race at first start: each inserts only if absent
 * and then reads back what was stored, so all of them end with the same secret. A stored secret
 * that does not open is never replaced (that would silently invalidate everything derived from
 * it): it fails with {@link DeploymentSecretUnreadableException}. A secret sealed under an older
 * key is resealed under the primary as it is read, and {@link #resealAll} reseals every one after a
 * key rotation. Thread-safe.
 */
public final class DeploymentSecrets {
    /** The name of the per-deployment pepper that API keys are hashed with. */
    public static final String API_KEY_PEPPER = "api-key-pepper";

    private static final String PURPOSE = "latchkey/deployment-secret/v1";
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");
    // 256 random bits, as for an HMAC-SHA256 key (RFC 2104 §3: a key of at least the output length).
    private static final int RANDOM_BYTES = 32;

    private final DeploymentSecretStore store;
    private final Cipher cipher;
    private final SecureRandom random = new SecureRandom();

    public DeploymentSecrets(DeploymentSecretStore store, Cipher cipher) {
        this.store = store;
        this.cipher = cipher;
    }

    /**
     * The secret of that name: 32 random bytes as unpadded base64url text (43 characters), created
     * and stored sealed on first use.
     *
     * @throws IllegalArgumentException if the name is not 1-63 characters of a-z, 0-9, '.', '_', '-'
     * @throws DeploymentSecretUnreadableException if it is stored but does not open with the keyset
     */
    public Secret getOrCreate(String name) {
        return getOrCreate(name, () -> {
            byte[] bytes = new byte[RANDOM_BYTES];
            random.nextBytes(bytes);
            return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        });
    }

    /**
     * The secret of that name, created with {@code generator} (e.g. a private key as JWK JSON) and
     * stored sealed on first use; when replicas race, all of them end with the one stored first.
     *
     * @throws IllegalArgumentException if the name is not 1-63 characters of a-z, 0-9, '.', '_', '-'
     * @throws DeploymentSecretUnreadableException if it is stored but does not open with the keyset
     */
    public Secret getOrCreate(String name, Supplier<String> generator) {
        requireValidName(name);
        Optional<Ciphertext> stored = store.find(name);
        if (stored.isEmpty()) {
            String fresh = generator.get();
            store.insertIfAbsent(name, cipher.seal(fresh.getBytes(StandardCharsets.UTF_8), context(name)));
            // Read back whatever won: ours, or the one another replica inserted first.
            stored = store.find(name);
        }
        Ciphertext sealed = stored.orElseThrow(
                () -> new IllegalStateException("deployment secret '" + name + "' vanished right after insertion"));
        Secret secret = open(name, sealed);
        if (!cipher.isSealedWithPrimary(sealed)) {
            reseal(name, sealed, secret);
        }
        return secret;
    }

    /**
     * Reseals every stored secret not sealed under the primary key.
     *
     * @return how many were resealed
     * @throws DeploymentSecretUnreadableException if one does not open with the keyset (the rest
     *     are left as they are)
     */
    public int resealAll() {
        int count = 0;
        for (String name : store.names()) {
            Optional<Ciphertext> sealed = store.find(name);
            if (sealed.isPresent()
                    && !cipher.isSealedWithPrimary(sealed.get())
                    && reseal(name, sealed.get(), open(name, sealed.get()))) {
                count++;
            }
        }
        return count;
    }

    private boolean reseal(String name, Ciphertext sealed, Secret secret) {
        Ciphertext resealed = cipher.seal(secret.reveal().getBytes(StandardCharsets.UTF_8), context(name));
        return store.reseal(name, sealed, resealed);
    }

    private Secret open(String name, Ciphertext sealed) {
        try {
            return Secret.of(new String(cipher.open(sealed, context(name)), StandardCharsets.UTF_8));
        } catch (DecryptionFailedException | IllegalArgumentException e) {
            throw new DeploymentSecretUnreadableException(
                    "deployment secret '" + name
                            + "' is stored but cannot be decrypted with the configured keyset (was the key that"
                            + " sealed it removed or disabled?); refusing to replace it, which would invalidate"
                            + " everything derived from it",
                    e);
        }
    }

    private static AssociatedData context(String name) {
        return AssociatedData.of(PURPOSE, name);
    }

    private static void requireValidName(String name) {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(
                    "a deployment secret name is 1-63 characters of a-z, 0-9, '.', '_', '-'");
        }
    }

    @Override
    public String toString() {
        return "DeploymentSecrets";
    }
}
