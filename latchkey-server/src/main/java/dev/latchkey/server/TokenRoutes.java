package dev.latchkey.server;

import dev.latchkey.core.downstream.TokenAnswer;
import dev.latchkey.core.downstream.TokenManager;
import dev.latchkey.core.grant.ResourceName;
import dev.latchkey.core.grant.TokenSet;
import dev.latchkey.core.identity.IdentityResolver;
import dev.latchkey.core.identity.Principal;
import dev.latchkey.core.identity.UserId;
import dev.latchkey.core.inbound.Authenticator;
import io.javalin.http.Context;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * {@code GET /v1/tokens/{resource}} and {@code POST /v1/tokens/{resource}/refresh}: a working
 * downstream token for the acting user (see {@link ActingUser}), refreshed single-flight by the
 * core. Answers (DESIGN.md, "HTTP contract"): {@code 200 {access_token, token_type, expires_at,
 * expires_in, scope}} with {@code Cache-Control: no-store}; {@code 401 authorization_required}
 * with an {@code authorization_url}; {@code 503 temporarily_unavailable} with {@code Retry-After};
 * {@code 404 unknown_resource}; {@code 400 invalid_request} for a malformed name or body.
 */
public final class TokenRoutes implements RouteModule {
    /** The scope a service principal or API key needs to obtain a user's downstream tokens. */
    public static final String SCOPE = "tokens:read";

    static final int MAX_BODY_BYTES = 4 * 1024;
    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-fA-F]{64}");
    private static final Pattern SCOPE_TOKEN = Pattern.compile("[\\x21\\x23-\\x5B\\x5D-\\x7E]{1,200}");
    private static final int MAX_SCOPES = 20;

    private final RequestAuthentication authentication;
    private final IdentityResolver identities;
    private final TokenManager tokens;
    private final MeterRegistry metrics;

    public TokenRoutes(
            Authenticator authenticator, IdentityResolver identities, TokenManager tokens, MeterRegistry metrics) {
        this.authentication = new RequestAuthentication(authenticator, metrics);
        this.identities = identities;
        this.tokens = tokens;
        this.metrics = metrics;
    }

    @Override
    public void register(Routes routes) {
        Clock clock = routes.clock();
        routes.get("/v1/tokens/{resource}", ctx -> token(ctx, clock));
        routes.post("/v1/tokens/{resource}/refresh", ctx -> refresh(ctx, clock));
    }

    private void token(Context ctx, Clock clock) {
        caller(ctx)
                .ifPresent(call -> answer(
                        ctx,
                        clock,
                        "current",
                        () -> tokens.token(call.principal().tenant(), call.user(), call.resource())));
    }

    /**
     * The resource refused the token: {@code rejected_token_sha256} after a 401 (silent refresh),
     * or {@code required_scope} after a {@code 403 insufficient_scope} (step-up through consent).
     */
    private void refresh(Context ctx, Clock clock) {
        Optional<Call> caller = caller(ctx);
        if (caller.isEmpty()) {
            return;
        }
        Call call = caller.get();
        JsonNode body;
        try {
            body = JsonBody.object(ctx, MAX_BODY_BYTES, Set.of("rejected_token_sha256", "required_scope"));
            if (body.has("rejected_token_sha256") == body.has("required_scope")) {
                throw new JsonBody.InvalidRequestException(
                        "send either rejected_token_sha256 (after a 401) or required_scope (after a 403)");
            }
            if (body.has("required_scope")) {
                Set<String> required = requiredScopes(body.path("required_scope"));
                answer(
                        ctx,
                        clock,
                        "step_up",
                        () -> tokens.stepUp(call.principal().tenant(), call.user(), call.resource(), required));
                return;
            }
            JsonNode hash = body.path("rejected_token_sha256");
            if (!hash.isString() || !SHA256_HEX.matcher(hash.asString()).matches()) {
                throw new JsonBody.InvalidRequestException(
                        "rejected_token_sha256 must be the 64 hex digits of the rejected token's SHA-256");
            }
            String rejected = hash.asString().toLowerCase(Locale.ROOT);
            answer(
                    ctx,
                    clock,
                    "rejected",
                    () -> tokens.afterRejection(call.principal().tenant(), call.user(), call.resource(), rejected));
        } catch (JsonBody.InvalidRequestException e) {
            invalidRequest(ctx, e.description());
        }
    }

    private static Set<String> requiredScopes(JsonNode value) throws JsonBody.InvalidRequestException {
        if (!value.isString()) {
            throw new JsonBody.InvalidRequestException("required_scope must be a space-separated string of scopes");
        }
        try {
            return scopes(value.asString());
        } catch (IllegalArgumentException e) {
            throw new JsonBody.InvalidRequestException(
                    "required_scope must hold 1 to " + MAX_SCOPES + " RFC 6749 scope tokens");
        }
    }

    /**
     * Space-separated RFC 6749 §3.3 scope tokens, at most {@value #MAX_SCOPES}.
     *
     * @throws IllegalArgumentException naming the rule broken (a fixed text, never the input)
     */
    static Set<String> scopes(String value) {
        Set<String> scopes = new TreeSet<>();
        for (String scope : value.trim().split(" +", -1)) {
            if (!SCOPE_TOKEN.matcher(scope).matches()) {
                throw new IllegalArgumentException("scope must be space-separated RFC 6749 scope tokens");
            }
            scopes.add(scope);
        }
        if (scopes.size() > MAX_SCOPES) {
            throw new IllegalArgumentException("at most " + MAX_SCOPES + " scopes");
        }
        return scopes;
    }

    /** The authenticated caller, the user it acts for and a well-formed resource name; else answered. */
    private Optional<Call> caller(Context ctx) {
        Optional<Principal> principal = authentication.authenticate(ctx, "tokens");
        if (principal.isEmpty()) {
            return Optional.empty();
        }
        Optional<UserId> user = ActingUser.of(ctx, principal.get(), SCOPE, identities);
        if (user.isEmpty()) {
            return Optional.empty();
        }
        Optional<ResourceName> resource = resourceName(ctx);
        return resource.map(name -> new Call(principal.get(), user.get(), name));
    }

    private void answer(Context ctx, Clock clock, String kind, Supplier<TokenAnswer> fetch) {
        TokenAnswer answer = fetch.get();
        metrics.counter("latchkey.tokens.answers", "kind", kind, "outcome", outcome(answer))
                .increment();
        ctx.header("Cache-Control", "no-store");
        switch (answer) {
            case TokenAnswer.Token token -> ctx.json(tokenJson(token.grant().tokens(), clock.instant()));
            case TokenAnswer.AuthorizationRequired required -> {
                Map<String, Object> json = new LinkedHashMap<>();
                json.put("error", "authorization_required");
                @Nullable URI url = required.authorizationUrl();
                if (url != null) {
                    json.put("authorization_url", url.toString());
                }
                json.put("reason", required.reason());
                ctx.status(401).json(json);
            }
            case TokenAnswer.Unavailable unavailable -> unavailable(ctx, unavailable.retryAfter());
            case TokenAnswer.Refused refused -> {
                int status = switch (refused.error()) {
                    case "unknown_resource" -> 404;
                    case "insufficient_scope" -> 403;
                    default -> 409;
                };
                ctx.status(status).json(Map.of("error", refused.error(), "error_description", refused.description()));
            }
        }
    }

    static void unavailable(Context ctx, Duration retryAfter) {
        ctx.header("Retry-After", Long.toString(Math.max(1, retryAfter.toSeconds())));
        ctx.status(503).json(Map.of("error", "temporarily_unavailable", "retryable", true));
    }

    private static Map<String, Object> tokenJson(TokenSet tokens, Instant now) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("access_token", tokens.accessToken().reveal());
        json.put("token_type", tokens.tokenType());
        tokens.expiry().ifPresent(at -> {
            json.put("expires_at", at.toString());
            json.put("expires_in", Math.max(0, Duration.between(now, at).toSeconds()));
        });
        json.put("scope", String.join(" ", new TreeSet<>(tokens.scopes())));
        return json;
    }

    private static String outcome(TokenAnswer answer) {
        return switch (answer) {
            case TokenAnswer.Token t -> "token";
            case TokenAnswer.AuthorizationRequired a -> "authorization_required";
            case TokenAnswer.Unavailable u -> "unavailable";
            case TokenAnswer.Refused r -> r.error();
        };
    }

    /** The path's resource name; a name that cannot exist answers {@code 404 unknown_resource}. */
    static Optional<ResourceName> resourceName(Context ctx) {
        try {
            return Optional.of(ResourceName.of(ctx.pathParam("resource")));
        } catch (IllegalArgumentException e) {
            ctx.status(404)
                    .json(Map.of(
                            "error",
                            "unknown_resource",
                            "error_description",
                            "the tenant has no resource of that name"));
            return Optional.empty();
        }
    }

    static void invalidRequest(Context ctx, String description) {
        ctx.status(400).json(Map.of("error", "invalid_request", "error_description", description));
    }

    private record Call(Principal principal, UserId user, ResourceName resource) {}
}
