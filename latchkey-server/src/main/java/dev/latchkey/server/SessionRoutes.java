package dev.latchkey.server;

import dev.latchkey.core.identity.User;
import dev.latchkey.core.identity.UserId;
import dev.latchkey.core.secret.Secret;
import dev.latchkey.core.session.ClientContext;
import dev.latchkey.core.session.CrossOriginSessions;
import dev.latchkey.core.session.SessionOutcome;
import dev.latchkey.core.tenant.TenantId;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * Cross-origin sessions (DESIGN.md C4): {@code POST /v1/sessions/exchange} ({@code {code}}) and
 * {@code POST /v1/sessions/refresh} ({@code {refreshToken, user_id?}} with {@code X-Tenant-Id}), both
 * answering {@code {token, refreshToken, user, expiresAt}} with {@code Cache-Control: no-store}.
 *
 * <p>Transport rules (C4-04, C4-08): JSON bodies only (415 otherwise, so no cross-site "simple"
 * request reaches the core); a browser's {@code Origin} must be one of the tenant's allowed
 * origins, echoed exactly — never {@code *}, never {@code null}, never a reflection of an unknown
 * origin — and a browser request without {@code Origin} is refused; a refresh token in the query
 * string is treated as leaked and its family revoked. Every refusal of a credential is {@code 400
 * invalid_grant} (RFC 6749 §5.2).
 */
public final class SessionRoutes implements RouteModule {
    private static final int MAX_BODY_BYTES = 4096;
    private static final String EXCHANGE = "/v1/sessions/exchange";
    private static final String REFRESH = "/v1/sessions/refresh";
    private static final String LOGOUT = "/v1/sessions/logout";

    private final CrossOriginSessions sessions;
    private final CorsPolicy cors;

    public SessionRoutes(CrossOriginSessions sessions, CorsPolicy cors) {
        this.sessions = sessions;
        this.cors = cors;
    }

    /** Which browser origins may call a tenant's session endpoints. */
    public interface CorsPolicy {
        /** Whether {@code origin} (scheme, host, port; lower case) may call {@code tenant}'s endpoints. */
        boolean allows(TenantId tenant, String origin);

        /** Whether any tenant allows {@code origin} (preflights do not say which tenant they are for). */
        boolean allowsAnyTenant(String origin);
    }

    @Override
    public void register(Routes routes) {
        routes.post(EXCHANGE, this::exchange);
        routes.post(REFRESH, this::refresh);
        routes.options(EXCHANGE, this::preflight);
        routes.options(REFRESH, this::preflight);
        routes.post(LOGOUT, this::logout);
        routes.options(LOGOUT, this::preflight);
        routes.get(EXCHANGE, SessionRoutes::methodNotAllowed);
        routes.get(REFRESH, SessionRoutes::methodNotAllowed);
    }

    private void exchange(Context ctx) {
        noStore(ctx);
        Optional<Optional<TenantId>> named = tenantHeader(ctx);
        if (named.isEmpty() || !jsonContent(ctx)) {
            return;
        }
        JsonNode body;
        String code;
        try {
            body = JsonBody.object(ctx, MAX_BODY_BYTES, Set.of("code"));
            code = requiredText(body, "code");
        } catch (JsonBody.InvalidRequestException e) {
            invalidRequest(ctx, e.description());
            return;
        }
        // The code names its tenant; the CORS decision is that tenant's (or the header's, if named).
        Optional<TenantId> tenant = named.get().or(() -> tenantOfCode(code));
        @Nullable String origin = ctx.header("Origin");
        if (!originAllowed(ctx, tenant.orElse(null), origin)) {
            return;
        }
        answer(ctx, sessions.exchange(named.get().orElse(null), Secret.of(code), origin));
    }

    private void refresh(Context ctx) {
        noStore(ctx);
        Optional<TenantId> named = requiredTenant(ctx);
        if (named.isEmpty()) {
            return;
        }
        TenantId tenant = named.get();
        if (leakedInQuery(ctx, tenant) || !jsonContent(ctx)) {
            return;
        }
        @Nullable String origin = ctx.header("Origin");
        if (!originAllowed(ctx, tenant, origin)) {
            return;
        }
        String refreshToken;
        @Nullable UserId user;
        try {
            JsonNode body = JsonBody.object(ctx, MAX_BODY_BYTES, Set.of("refreshToken", "user_id"));
            refreshToken = requiredText(body, "refreshToken");
            user = body.has("user_id") ? UserId.of(requiredText(body, "user_id")) : null;
        } catch (JsonBody.InvalidRequestException e) {
            invalidRequest(ctx, e.description());
            return;
        } catch (IllegalArgumentException e) {
            invalidRequest(ctx, "user_id is not a user id");
            return;
        }
        ClientContext client =
                new ClientContext(origin, ClientAddressFilter.of(ctx.req()).toString());
        answer(ctx, sessions.refresh(tenant, Secret.of(refreshToken), user, client));
    }

    /**
     * A panel's logout: the refresh token's family is revoked (and with it the access tokens minted
     * from it). Like RFC 7009 §2.2, the answer is 200 whether or not the token was live, so it tells
     * a caller nothing about tokens it does not hold.
     */
    private void logout(Context ctx) {
        noStore(ctx);
        Optional<TenantId> named = requiredTenant(ctx);
        if (named.isEmpty()) {
            return;
        }
        TenantId tenant = named.get();
        if (!jsonContent(ctx) || !originAllowed(ctx, tenant, ctx.header("Origin"))) {
            return;
        }
        String refreshToken;
        try {
            refreshToken = requiredText(JsonBody.object(ctx, MAX_BODY_BYTES, Set.of("refreshToken")), "refreshToken");
        } catch (JsonBody.InvalidRequestException e) {
            invalidRequest(ctx, e.description());
            return;
        }
        sessions.logout(tenant, Secret.of(refreshToken));
        ctx.json(Map.of("logged_out", true));
    }

    /**
     * C4-08: a refresh token in the URL has been written to logs and histories on its way: refuse,
     * and end its family so the copy is worthless.
     */
    private boolean leakedInQuery(Context ctx, TenantId tenant) {
        @Nullable
        String leaked = Optional.ofNullable(ctx.queryParam("refreshToken")).orElse(ctx.queryParam("refresh_token"));
        if (leaked == null) {
            return false;
        }
        if (!leaked.isEmpty()) {
            sessions.revokeLeaked(tenant, Secret.of(leaked));
        }
        invalidRequest(ctx, "a refresh token is sent in the JSON body, never in the URL; this one is now revoked");
        return true;
    }

    private void preflight(Context ctx) {
        @Nullable String origin = ctx.header("Origin");
        if (origin == null || !cors.allowsAnyTenant(origin.toLowerCase(Locale.ROOT))) {
            ctx.status(403);
            return;
        }
        allowOrigin(ctx, origin);
        ctx.header("Access-Control-Allow-Methods", "POST");
        ctx.header("Access-Control-Allow-Headers", "Content-Type, X-Tenant-Id");
        ctx.header("Access-Control-Max-Age", "600");
        ctx.status(204);
    }

    /**
     * A request with {@code Origin} must come from an allowed origin of the tenant; one without it
     * is a server-side caller, unless Fetch metadata says a browser sent it (C4-08).
     */
    private boolean originAllowed(Context ctx, @Nullable TenantId tenant, @Nullable String origin) {
        if (origin == null) {
            if (ctx.header("Sec-Fetch-Mode") != null) {
                forbidden(ctx, "a browser request must carry Origin");
                return false;
            }
            return true;
        }
        if (tenant == null || !cors.allows(tenant, origin.toLowerCase(Locale.ROOT))) {
            forbidden(ctx, "this origin may not call the tenant's session endpoints");
            return false;
        }
        allowOrigin(ctx, origin);
        return true;
    }

    private static void allowOrigin(Context ctx, String origin) {
        ctx.header("Access-Control-Allow-Origin", origin);
        ctx.header("Vary", "Origin");
    }

    private static void answer(Context ctx, SessionOutcome outcome) {
        switch (outcome) {
            case SessionOutcome.Issued issued -> {
                Map<String, Object> json = new LinkedHashMap<>();
                json.put("token", issued.token().reveal());
                json.put("refreshToken", issued.refreshToken().reveal());
                json.put("user", user(issued.user()));
                json.put("expiresAt", issued.expiresAt().toEpochMilli());
                ctx.json(json);
            }
            case SessionOutcome.Refused refused ->
                ctx.status(400).json(Map.of("error", refused.error(), "error_description", refused.description()));
        }
    }

    static Map<String, Object> user(User user) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("id", user.id().value());
        json.put("tenant", user.tenant().value());
        user.emailIfKnown().ifPresent(email -> json.put("email", email));
        json.put("groups", new TreeSet<>(user.groups()));
        return json;
    }

    /** The tenant a refresh token belongs to, from {@code X-Tenant-Id}; empty after answering 400. */
    private static Optional<TenantId> requiredTenant(Context ctx) {
        Optional<Optional<TenantId>> named = tenantHeader(ctx);
        if (named.isPresent() && named.get().isEmpty()) {
            invalidRequest(ctx, "X-Tenant-Id names the tenant of the refresh token");
        }
        return named.flatMap(tenant -> tenant);
    }

    /** The tenant named in {@code X-Tenant-Id}, if any; empty (after answering 400) if malformed. */
    private static Optional<Optional<TenantId>> tenantHeader(Context ctx) {
        @Nullable String value = ctx.header(CredentialExtractor.TENANT_HEADER);
        if (value == null) {
            return Optional.of(Optional.empty());
        }
        try {
            return Optional.of(Optional.of(TenantId.of(value)));
        } catch (IllegalArgumentException e) {
            invalidRequest(ctx, "X-Tenant-Id is not a valid tenant id");
            return Optional.empty();
        }
    }

    private static Optional<TenantId> tenantOfCode(String code) {
        int dot = code.indexOf('.');
        if (dot <= 0 || dot > 63) {
            return Optional.empty();
        }
        try {
            return Optional.of(TenantId.of(code.substring(0, dot)));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static boolean jsonContent(Context ctx) {
        @Nullable String type = ctx.contentType();
        if (type != null && type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
            return true;
        }
        ctx.status(415)
                .json(Map.of("error", "invalid_request", "error_description", "the body must be application/json"));
        return false;
    }

    private static String requiredText(JsonNode body, String field) throws JsonBody.InvalidRequestException {
        JsonNode value = body.get(field);
        if (value == null || !value.isString() || value.asString().isEmpty()) {
            throw new JsonBody.InvalidRequestException(field + " must be a non-empty string");
        }
        return value.asString();
    }

    private static void methodNotAllowed(Context ctx) {
        ctx.header("Allow", "POST");
        ctx.status(405).json(Map.of("error", "invalid_request", "error_description", "use POST with a JSON body"));
    }

    private static void noStore(Context ctx) {
        // RFC 6749 §5.1: responses carrying tokens must not be cached.
        ctx.header("Cache-Control", "no-store");
        ctx.header("Pragma", "no-cache");
    }

    private static void invalidRequest(Context ctx, String description) {
        ctx.status(400).json(Map.of("error", "invalid_request", "error_description", description));
    }

    private static void forbidden(Context ctx, String description) {
        ctx.status(403).json(Map.of("error", "origin_not_allowed", "error_description", description));
    }
}
