package dev.latchkey.server;

import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.token.BearerTokenError;
import dev.latchkey.core.identity.Principal;
import dev.latchkey.core.inbound.AuthOutcome;
import dev.latchkey.core.inbound.Authenticator;
import io.javalin.http.Context;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Authenticates a request through the core {@link Authenticator} and, when it is refused, answers
 * per RFC 6750 §3 (challenge headers built by the Nimbus SDK). Shared by every route that needs a
 * caller, so that all of them refuse in the same words.
 */
final class RequestAuthentication {
    private final Authenticator authenticator;
    private final MeterRegistry metrics;

    RequestAuthentication(Authenticator authenticator, MeterRegistry metrics) {
        this.authenticator = authenticator;
        this.metrics = metrics;
    }

    /**
     * Authenticates the request's credentials; on refusal the answer is already written and the
     * result is empty. Counts every outcome in {@code latchkey.auth.outcomes} by endpoint.
     */
    Optional<Principal> authenticate(Context ctx, String endpoint) {
        AuthOutcome outcome = switch (CredentialExtractor.extract(ctx)) {
            case CredentialExtractor.Extracted.Malformed malformed ->
                new AuthOutcome.Malformed(malformed.description());
            case CredentialExtractor.Extracted.Found found -> authenticator.authenticate(found.credentials(), Set.of());
        };
        metrics.counter(
                        "latchkey.auth.outcomes",
                        "endpoint",
                        endpoint,
                        "outcome",
                        outcomeName(outcome),
                        "reason",
                        reason(outcome))
                .increment();
        switch (outcome) {
            case AuthOutcome.Authenticated authenticated -> {
                return Optional.of(authenticated.principal());
            }
            case AuthOutcome.NoCredentials none -> challenge(ctx, 401, BearerTokenError.MISSING_TOKEN, Map.of());
            case AuthOutcome.Rejected rejected ->
                challenge(
                        ctx,
                        401,
                        BearerTokenError.INVALID_TOKEN.setDescription(rejected.description()),
                        Map.of("error", "invalid_token", "error_description", rejected.description()));
            case AuthOutcome.InsufficientScope scope ->
                challenge(
                        ctx,
                        403,
                        BearerTokenError.INSUFFICIENT_SCOPE.setScope(
                                new Scope(scope.required().toArray(String[]::new))),
                        Map.of(
                                "error",
                                "insufficient_scope",
                                "scope",
                                String.join(" ", new TreeSet<>(scope.required()))));
            case AuthOutcome.Malformed malformed ->
                challenge(
                        ctx,
                        400,
                        BearerTokenError.INVALID_REQUEST.setDescription(malformed.description()),
                        Map.of("error", "invalid_request", "error_description", malformed.description()));
            case AuthOutcome.Forbidden forbidden -> {
                ctx.status(403);
                ctx.json(Map.of("error", forbidden.error(), "error_description", forbidden.description()));
            }
            case AuthOutcome.Unavailable unavailable -> {
                ctx.status(503);
                ctx.header(
                        "Retry-After",
                        Long.toString(Math.max(1, unavailable.retryAfter().toSeconds())));
                ctx.json(Map.of("error", "temporarily_unavailable", "retryable", true));
            }
            case AuthOutcome.TooManyAttempts tooMany -> {
                // RFC 6585 §4; rounded up so that a client retrying on time is no longer blocked.
                ctx.status(429);
                ctx.header("Retry-After", Long.toString(retryAfterSeconds(tooMany.retryAfter())));
                ctx.json(Map.of("error", "too_many_requests"));
            }
        }
        return Optional.empty();
    }

    static long retryAfterSeconds(Duration retryAfter) {
        long seconds = retryAfter.toSeconds();
        return Math.max(1, retryAfter.equals(Duration.ofSeconds(seconds)) ? seconds : seconds + 1);
    }

    private static void challenge(Context ctx, int status, BearerTokenError error, Map<String, String> body) {
        ctx.status(status);
        ctx.header("WWW-Authenticate", error.setRealm(AuthRoutes.REALM).toWWWAuthenticateHeader());
        if (body.isEmpty()) {
            ctx.json(Map.of("error", "unauthorized"));
        } else {
            ctx.json(body);
        }
    }

    private static String outcomeName(AuthOutcome outcome) {
        return switch (outcome) {
            case AuthOutcome.Authenticated a -> "authenticated";
            case AuthOutcome.NoCredentials n -> "no_credentials";
            case AuthOutcome.Rejected r -> "rejected";
            case AuthOutcome.InsufficientScope s -> "insufficient_scope";
            case AuthOutcome.Malformed m -> "malformed";
            case AuthOutcome.Forbidden f -> "forbidden";
            case AuthOutcome.Unavailable u -> "unavailable";
            case AuthOutcome.TooManyAttempts t -> "too_many_requests";
        };
    }

    /** Reason codes are fixed by the core's contract; anything else is folded to keep metrics bounded. */
    private static String reason(AuthOutcome outcome) {
        String reason = switch (outcome) {
            case AuthOutcome.Rejected rejected -> rejected.reason();
            case AuthOutcome.Forbidden forbidden -> forbidden.error();
            case AuthOutcome.Unavailable unavailable -> unavailable.reason();
            case AuthOutcome.TooManyAttempts tooMany -> "api_key_bruteforce";
            default -> "none";
        };
        return reason.matches("[a-z][a-z0-9_]{0,39}") ? reason : "other";
    }
}
