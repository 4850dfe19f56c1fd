package dev.latchkey.server;

import dev.latchkey.core.identity.ApiKey;
import dev.latchkey.core.identity.ApiKeyCreation;
import dev.latchkey.core.identity.ApiKeyId;
import dev.latchkey.core.identity.ApiKeys;
import dev.latchkey.core.identity.Principal;
import dev.latchkey.core.inbound.Authenticator;
import io.javalin.http.Context;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * {@code POST /v1/api-keys}, {@code GET /v1/api-keys} and {@code DELETE /v1/api-keys/{id}}: a user
 * manages their own API keys in the tenant their bearer token belongs to. Only a user's bearer
 * token may do so (an API key cannot create, list or revoke keys), and a new key holds only scopes
 * that token has. The full key is in the creation answer only (with {@code Cache-Control:
 * no-store}); lists never carry secrets. Malformed input answers {@code 400 invalid_request},
 * never a 500.
 */
public final class ApiKeyRoutes implements RouteModule {
    /** The largest creation body accepted; a real one is a few hundred bytes. */
    static final int MAX_BODY_BYTES = 16 * 1024;

    private static final Set<String> FIELDS = Set.of("scopes", "expiresAt");

    private final RequestAuthentication authentication;
    private final ApiKeys apiKeys;

    public ApiKeyRoutes(Authenticator authenticator, ApiKeys apiKeys, MeterRegistry metrics) {
        this.authentication = new RequestAuthentication(authenticator, metrics);
        this.apiKeys = apiKeys;
    }

    @Override
    public void register(Routes routes) {
        routes.post("/v1/api-keys", this::create);
        routes.get("/v1/api-keys", this::list);
        routes.delete("/v1/api-keys/{id}", this::revoke);
    }

    private void create(Context ctx) {
        Optional<Principal> caller = user(ctx);
        if (caller.isEmpty()) {
            return;
        }
        Principal principal = caller.get();
        CreateRequest request;
        try {
            request = CreateRequest.parse(JsonBody.object(ctx, MAX_BODY_BYTES, FIELDS));
        } catch (JsonBody.InvalidRequestException e) {
            invalidRequest(ctx, e.description());
            return;
        }
        if (!principal.scopes().containsAll(request.scopes())) {
            invalidRequest(ctx, "a key may hold only scopes the caller's token has");
            return;
        }
        Instant expiresAt = request.expiresAt();
        ApiKeyCreation creation = expiresAt == null
                ? apiKeys.create(principal.tenant(), principal.user(), request.scopes())
                : apiKeys.create(principal.tenant(), principal.user(), request.scopes(), expiresAt);
        switch (creation) {
            case ApiKeyCreation.Created created -> {
                Map<String, Object> json = new LinkedHashMap<>();
                json.put("id", created.key().id().value());
                json.put("key", created.plaintext().reveal());
                json.put("scopes", new TreeSet<>(created.key().scopes()));
                created.key().expiry().ifPresent(at -> json.put("expiresAt", at.toString()));
                json.put("createdAt", created.key().createdAt().toString());
                // RFC 9111 §5.2.2.5: the only copy of the key must not be kept by any cache.
                ctx.header("Cache-Control", "no-store");
                ctx.status(201).json(json);
            }
            case ApiKeyCreation.Refused refused -> refuse(ctx, refused.error());
        }
    }

    private void list(Context ctx) {
        user(ctx).ifPresent(principal -> {
            List<Map<String, Object>> keys = apiKeys.list(principal.tenant(), principal.user()).stream()
                    .map(ApiKeyRoutes::describe)
                    .toList();
            ctx.header("Cache-Control", "no-store");
            ctx.json(Map.of("keys", keys));
        });
    }

    private void revoke(Context ctx) {
        user(ctx).ifPresent(principal -> {
            if (keyId(ctx.pathParam("id"))
                    .map(id -> apiKeys.revoke(principal.tenant(), principal.user(), id))
                    .orElse(false)) {
                ctx.status(204);
            } else {
                ctx.status(404).json(Map.of("error", "not_found"));
            }
        });
    }

    /** An id that cannot exist is as absent as one that does not: 404 either way. */
    private static Optional<ApiKeyId> keyId(String value) {
        try {
            return Optional.of(ApiKeyId.of(value));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** The authenticated caller, if it is a user who presented a bearer token; else answers. */
    private Optional<Principal> user(Context ctx) {
        Optional<Principal> principal = authentication.authenticate(ctx, "api_keys");
        if (principal.isPresent() && principal.get().kind() != Principal.Kind.USER) {
            ctx.status(403)
                    .json(Map.of(
                            "error",
                            "user_token_required",
                            "error_description",
                            "API keys are managed with a user's bearer token"));
            return Optional.empty();
        }
        return principal;
    }

    private static Map<String, Object> describe(ApiKey key) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("id", key.id().value());
        json.put("scopes", new TreeSet<>(key.scopes()));
        json.put("createdAt", key.createdAt().toString());
        key.expiry().ifPresent(at -> json.put("expiresAt", at.toString()));
        key.revocation().ifPresent(at -> json.put("revokedAt", at.toString()));
        key.lastUse().ifPresent(at -> json.put("lastUsedAt", at.toString()));
        return json;
    }

    private static void refuse(Context ctx, String error) {
        switch (error) {
            case "api_keys_disabled" ->
                ctx.status(403)
                        .json(Map.of(
                                "error",
                                "api_keys_disabled",
                                "error_description",
                                "API keys are turned off for this tenant"));
            case "invalid_expiry" -> invalidRequest(ctx, "expiresAt must be in the future");
            case "invalid_scope" -> invalidRequest(ctx, "a scope is not a valid scope token (RFC 6749 §3.3)");
            case "scope_not_allowed" -> invalidRequest(ctx, "a key may hold only scopes the caller has");
            default -> ctx.status(403).json(Map.of("error", "forbidden"));
        }
    }

    private static void invalidRequest(Context ctx, String description) {
        ctx.status(400).json(Map.of("error", "invalid_request", "error_description", description));
    }

    /** A creation request, validated: its scopes and optional expiry. */
    private record CreateRequest(
            Set<String> scopes, @Nullable Instant expiresAt) {

        static CreateRequest parse(JsonNode json) throws JsonBody.InvalidRequestException {
            JsonNode scopes = json.path("scopes");
            if (!scopes.isArray()) {
                throw new JsonBody.InvalidRequestException("scopes must be an array of strings");
            }
            Set<String> values = new HashSet<>();
            for (JsonNode scope : scopes.values()) {
                if (!scope.isString()) {
                    throw new JsonBody.InvalidRequestException("scopes must be an array of strings");
                }
                values.add(scope.asString());
            }
            JsonNode expiresAt = json.path("expiresAt");
            if (expiresAt.isMissingNode() || expiresAt.isNull()) {
                return new CreateRequest(values, null);
            }
            if (!expiresAt.isString()) {
                throw new JsonBody.InvalidRequestException("expiresAt must be an ISO-8601 date-time with offset");
            }
            try {
                Instant at = DateTimeFormatter.ISO_OFFSET_DATE_TIME.parse(expiresAt.asString(), Instant::from);
                return new CreateRequest(values, at);
            } catch (DateTimeParseException e) {
                throw new JsonBody.InvalidRequestException("expiresAt must be an ISO-8601 date-time with offset", e);
            }
        }
    }
}
