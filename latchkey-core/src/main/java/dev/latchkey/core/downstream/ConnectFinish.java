package dev.latchkey.core.downstream;

import dev.latchkey.core.grant.GrantKey;
import java.net.URI;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/** What a connect callback produced. */
public sealed interface ConnectFinish {

    /** Where the user asked to be sent afterwards, if anywhere (already checked against policy). */
    @Nullable
    URI returnTo();

    /** Where to send the user, if anywhere. */
    default Optional<URI> returnAddress() {
        return Optional.ofNullable(returnTo());
    }

    /** The grant is stored. */
    record Connected(GrantKey key, @Nullable URI returnTo) implements ConnectFinish {}

    /**
     * Nothing was stored.
     *
     * @param error an RFC 6749 error code: {@code invalid_request} (unknown, spent or expired
     *     state; wrong issuer), the server's own code when it refused ({@code access_denied}, …),
     *     {@code invalid_grant} (code refused) or {@code temporarily_unavailable}
     * @param description a fixed description, never request or server text
     */
    record Failed(
            String error, String description, @Nullable URI returnTo) implements ConnectFinish {}
}
