package dev.latchkey.core.downstream;

import dev.latchkey.core.grant.VersionedTokenSet;
import java.net.URI;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/** What a caller asking the {@link TokenManager} for a downstream token gets. */
public sealed interface TokenAnswer {

    /** A token believed to be usable. */
    record Token(VersionedTokenSet grant) implements TokenAnswer {}

    /**
     * No usable grant: the user must connect (again) at {@code authorizationUrl}.
     *
     * @param reason why, e.g. {@code no_grant}, {@code invalid_grant}, {@code no_refresh_token}
     * @param authorizationUrl where to send the user; absent when no flow could be started
     */
    record AuthorizationRequired(String reason, @Nullable URI authorizationUrl) implements TokenAnswer {}

    /** The grant is kept but no token can be had now. */
    record Unavailable(Duration retryAfter) implements TokenAnswer {}

    /**
     * The request names something that cannot be served.
     *
     * @param error {@code unknown_resource}, {@code not_connectable}, or {@code insufficient_scope}
     *     (step-up cannot help)
     */
    record Refused(String error, String description) implements TokenAnswer {}
}
