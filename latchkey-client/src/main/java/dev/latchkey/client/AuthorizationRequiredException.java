package dev.latchkey.client;

import java.net.URI;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Latchkey holds no usable grant for the user and resource ({@code 401 authorization_required}):
 * none stored, its refresh refused, or consent needed. Send the user to {@link
 * #authorizationUrl()} for an interactive connect; retrying without that cannot succeed. The
 * session itself is still valid.
 */
public final class AuthorizationRequiredException extends LatchkeyException {
    private static final long serialVersionUID = 1L;
    private final @Nullable URI authorizationUrl;
    private final String reason;

    AuthorizationRequiredException(@Nullable URI authorizationUrl, String reason) {
        super("Latchkey needs the user to authorize the resource (401 authorization_required"
                + (reason.isEmpty() ? "" : ": " + quoted(reason))
                + ")");
        this.authorizationUrl = authorizationUrl;
        this.reason = reason;
    }

    /** Where to send the user to connect the resource; empty when the server named no URL. */
    public Optional<URI> authorizationUrl() {
        return Optional.ofNullable(authorizationUrl);
    }

    /** The server's reason, e.g. {@code no_grant} or {@code refresh_refused}; may be empty. */
    public String reason() {
        return reason;
    }
}
