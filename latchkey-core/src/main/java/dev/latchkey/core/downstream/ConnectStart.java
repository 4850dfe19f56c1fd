package dev.latchkey.core.downstream;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;

/** What starting a connect flow produced. */
public sealed interface ConnectStart {

    /** Send the user to {@code authorizationUrl} before {@code expiresAt}. */
    record Started(URI authorizationUrl, Instant expiresAt) implements ConnectStart {}

    /**
     * The request cannot be served as asked.
     *
     * @param error a fixed error code ({@code unknown_resource}, {@code not_connectable}, {@code
     *     invalid_return_to}, {@code invalid_scope})
     */
    record Refused(String error, String description) implements ConnectStart {}

    /** The resource's authorization server cannot be resolved now. */
    record Unavailable(String reason, Duration retryAfter) implements ConnectStart {}
}
