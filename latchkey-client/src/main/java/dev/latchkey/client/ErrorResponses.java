package dev.latchkey.client;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Maps Latchkey's error answers (DESIGN.md "HTTP contract"; RFC 6750 §3 challenges) to the
 * subtypes of {@link LatchkeyException}, in one place.
 */
final class ErrorResponses {
    private ErrorResponses() {}

    /**
     * Whether a {@code 401} may go away with a renewed bearer: the challenge says {@code
     * invalid_token}, or names no error (RFC 6750 §3.1 omits it when credentials were missing). A
     * {@code 401 authorization_required} is about the downstream grant, not the session, and a
     * new bearer would not change it.
     */
    static boolean renewalMayHelp(ApiResponse answer) {
        if ("authorization_required".equals(errorCode(answer))) {
            return false;
        }
        return bearerChallenge(answer)
                .flatMap(c -> c.parameter("error"))
                .map("invalid_token"::equals)
                .orElse(true);
    }

    /**
     * The answer itself, or the typed exception for an answer the contract gives a meaning:
     * {@code 401} ({@code authorization_required} or an invalid token), {@code 403 insufficient_scope}
     * and {@code 503}.
     */
    static ApiResponse checked(ApiResponse answer, Instant localNow) {
        return switch (answer.statusCode()) {
            case 401 -> throw unauthorized(answer);
            case 403 -> {
                Optional<InsufficientScopeException> insufficient = insufficientScope(answer);
                if (insufficient.isPresent()) {
                    throw insufficient.get();
                }
                yield answer;
            }
            case 503 -> throw temporarilyUnavailable(answer, localNow);
            default -> answer;
        };
    }

    private static LatchkeyException unauthorized(ApiResponse answer) {
        @Nullable Map<String, Object> body = errorBody(answer);
        if (body != null && "authorization_required".equals(stringMember(body, "error"))) {
            return new AuthorizationRequiredException(
                    absoluteUri(stringMember(body, "authorization_url")),
                    Optional.ofNullable(stringMember(body, "reason")).orElse(""));
        }
        Optional<Challenge> bearer = bearerChallenge(answer);
        return new InvalidTokenException(
                bearer.flatMap(c -> c.parameter("error")).orElse(null),
                bearer.flatMap(c -> c.parameter("error_description")).orElse(null));
    }

    /** RFC 6750 §3.1 {@code insufficient_scope}, from the challenge or else from a JSON body. */
    private static Optional<InsufficientScopeException> insufficientScope(ApiResponse answer) {
        Optional<Challenge> bearer = bearerChallenge(answer);
        if (bearer.flatMap(c -> c.parameter("error"))
                .filter("insufficient_scope"::equals)
                .isPresent()) {
            return Optional.of(new InsufficientScopeException(
                    bearer.flatMap(c -> c.parameter("scope")).orElse("")));
        }
        if ("insufficient_scope".equals(errorCode(answer))) {
            return Optional.of(new InsufficientScopeException(""));
        }
        return Optional.empty();
    }

    static TemporarilyUnavailableException temporarilyUnavailable(ApiResponse answer, Instant localNow) {
        return new TemporarilyUnavailableException(ServerTime.retryAfter(answer.headers(), localNow));
    }

    /** For an answer outside an endpoint's contract; names status and error code only. */
    static UnexpectedResponseException unexpected(ApiResponse answer, String call) {
        int status = answer.statusCode();
        @Nullable String error = errorCode(answer);
        String why = status >= 300 && status < 400
                ? "; redirects are not followed"
                : (error == null ? "" : " " + LatchkeyException.quoted(error));
        return new UnexpectedResponseException("Latchkey answered " + status + why + " to " + call, status, error);
    }

    /** The {@code error} member of a JSON error body. */
    static @Nullable String errorCode(ApiResponse answer) {
        @Nullable Map<String, Object> body = errorBody(answer);
        return body == null ? null : stringMember(body, "error");
    }

    /** The {@code error_description} member of a JSON error body. */
    static @Nullable String errorDescription(ApiResponse answer) {
        @Nullable Map<String, Object> body = errorBody(answer);
        return body == null ? null : stringMember(body, "error_description");
    }

    private static Optional<Challenge> bearerChallenge(ApiResponse answer) {
        return Challenge.bearer(answer.headers().allValues("WWW-Authenticate"));
    }

    /** The body as a JSON object, or null when it is none (an error page of a proxy, say). */
    private static @Nullable Map<String, Object> errorBody(ApiResponse answer) {
        if (answer.bodyBytes().length == 0) {
            return null;
        }
        try {
            return Json.parseObject(answer.bodyBytes());
        } catch (Json.JsonException e) {
            return null;
        }
    }

    private static @Nullable String stringMember(Map<String, Object> body, String name) {
        try {
            return Json.optionalString(body, name);
        } catch (Json.JsonException e) {
            return null;
        }
    }

    private static @Nullable URI absoluteUri(@Nullable String value) {
        if (value == null) {
            return null;
        }
        try {
            URI uri = new URI(value);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            return (scheme.equals("https") || scheme.equals("http")) && uri.getHost() != null ? uri : null;
        } catch (URISyntaxException e) {
            return null;
        }
    }
}
