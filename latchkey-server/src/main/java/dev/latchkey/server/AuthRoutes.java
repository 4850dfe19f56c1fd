package dev.latchkey.server;

import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.token.BearerTokenError;
import dev.latchkey.core.identity.Principal;
import dev.latchkey.core.inbound.AuthOutcome;
import dev.latchkey.core.inbound.Authenticator;
import io.javalin.http.Context;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code GET /v1/auth/verify} (forward authentication for nginx {@code auth_request}, Traefik
 * {@code forwardAuth}, Envoy {@code ext_authz}) and {@code GET /v1/me}. Both authenticate the
 * request's credentials through the core {@link Authenticator} and answer per RFC 6750 §3; the
 * challenge headers are built by the Nimbus SDK.
 */
public final class AuthRoutes implements RouteModule {
    static final String REALM = "latchkey";

    private final Authenticator authenticator;
    private final MeterRegistry metrics;

    public AuthRoutes(Authenticator authenticator, MeterRegistry metrics) {
        this.authenticator = authenticator;
        this.metrics = metrics;
    }

    @Override
    public void register(Routes routes) {
        routes.get("/v1/auth/verify", this::verify);
        routes.get("/v1/me", this::me);
    }

    private void verify(Context ctx) {
        authenticated(ctx, "verify").ifPresent(principal -> {
            ctx.header("X-Latchkey-Tenant", principal.tenant().value());
            ctx.header("X-Latchkey-User", headerValue(principal.user().value()));
            ctx.header("X-Latchkey-Email", headerValue(principal.emailIfKnown().orElse("")));
            ctx.header("X-Latchkey-Groups", String.join(",", sorted(principal.groups(), true)));
            ctx.header("X-Latchkey-Scopes", String.join(" ", sorted(principal.scopes(), false)));
            ctx.json(identity(principal));
        });
    }

    private void me(Context ctx) {
        authenticated(ctx, "me").ifPresent(principal -> ctx.json(identity(principal)));
    }

    private java.util.Optional<Principal> authenticated(Context ctx, String endpoint) {
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
                return java.util.Optional.of(authenticated.principal());
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
                                String.join(" ", sorted(scope.required(), false))));
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
        }
        return java.util.Optional.empty();
    }

    private static void challenge(Context ctx, int status, BearerTokenError error, Map<String, String> body) {
        ctx.status(status);
        ctx.header("WWW-Authenticate", error.setRealm(REALM).toWWWAuthenticateHeader());
        if (body.isEmpty()) {
            ctx.json(Map.of("error", "unauthorized"));
        } else {
            ctx.json(body);
        }
    }

    private static Map<String, Object> identity(Principal principal) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("tenant", principal.tenant().value());
        json.put("user", principal.user().value());
        json.put("kind", principal.kind().name().toLowerCase(java.util.Locale.ROOT));
        principal.emailIfKnown().ifPresent(email -> json.put("email", email));
        json.put("groups", sorted(principal.groups(), false));
        json.put("scopes", sorted(principal.scopes(), false));
        return json;
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
        };
    }

    /** Reason codes are fixed by the core's contract; anything else is folded to keep metrics bounded. */
    private static String reason(AuthOutcome outcome) {
        String reason = switch (outcome) {
            case AuthOutcome.Rejected rejected -> rejected.reason();
            case AuthOutcome.Forbidden forbidden -> forbidden.error();
            case AuthOutcome.Unavailable unavailable -> unavailable.reason();
            default -> "none";
        };
        return reason.matches("[a-z][a-z0-9_]{0,39}") ? reason : "other";
    }

    private static java.util.List<String> sorted(Set<String> values, boolean forHeaderList) {
        return new TreeSet<>(values)
                .stream()
                        .map(value -> forHeaderList ? headerValue(value).replace(",", "%2C") : value)
                        .toList();
    }

    /**
     * Header values are visible ASCII only: anything else (control characters, non-ASCII, {@code %})
     * is percent-encoded as UTF-8, so a claim can never inject a header or break the line.
     */
    static String headerValue(String value) {
        StringBuilder out = new StringBuilder(value.length());
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xFF;
            if (c >= 0x20 && c < 0x7F && c != '%') {
                out.append((char) c);
            } else {
                out.append('%')
                        .append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xF, 16)));
            }
        }
        return out.toString();
    }
}
