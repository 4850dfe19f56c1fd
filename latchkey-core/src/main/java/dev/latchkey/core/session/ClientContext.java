package dev.latchkey.core.session;

import dev.latchkey.core.secret.Secret;
import org.jspecify.annotations.Nullable;

/**
 * Who presents a session credential, as far as HTTP tells: the browser origin (if any) and the
 * client address. Its fingerprint decides whether a retry of a spent refresh token comes from the
 * client that spent it (grace) or from someone else (reuse).
 */
public record ClientContext(@Nullable String origin, String address) {

    /** A short, non-reversible fingerprint of origin and address. */
    public String fingerprint() {
        return Secret.sha256Hex((origin == null ? "-" : origin) + "|" + address).substring(0, 32);
    }
}
