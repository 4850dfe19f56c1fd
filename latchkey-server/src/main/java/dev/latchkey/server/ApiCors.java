package dev.latchkey.server;

import io.javalin.http.Context;
import java.util.Locale;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * CORS for the bearer-authenticated API ({@code /v1/…}), so that a panel on one of the tenants'
 * allowed origins can call it with the access token of its cross-origin session. Only exact allowed
 * origins are echoed (never {@code *}, never {@code null}); credentials are never allowed, so a
 * browser's cookies never authenticate a cross-origin call — the bearer token does, and it names
 * its tenant. The session endpoints answer their own preflights ({@link SessionRoutes}) and are
 * registered first.
 */
public final class ApiCors implements RouteModule {
    private final Predicate<String> allowedAnywhere;

    /** @param allowedAnywhere whether an origin (lower case) is allowed by any tenant */
    public ApiCors(Predicate<String> allowedAnywhere) {
        this.allowedAnywhere = allowedAnywhere;
    }

    @Override
    public void register(Routes routes) {
        routes.before("/v1/*", this::allow);
        routes.options("/v1/*", this::preflight);
    }

    private void allow(Context ctx) {
        @Nullable String origin = allowedOrigin(ctx);
        if (origin != null && !ctx.path().startsWith("/v1/sessions/")) {
            ctx.header("Access-Control-Allow-Origin", origin);
            ctx.header("Access-Control-Expose-Headers", "WWW-Authenticate, Retry-After");
            ctx.header("Vary", "Origin");
        }
    }

    private void preflight(Context ctx) {
        @Nullable String origin = allowedOrigin(ctx);
        if (origin == null) {
            ctx.status(403);
            return;
        }
        ctx.header("Access-Control-Allow-Origin", origin);
        ctx.header("Access-Control-Allow-Methods", "GET, POST, DELETE");
        ctx.header("Access-Control-Allow-Headers", "Authorization, Content-Type, X-Tenant-Id");
        ctx.header("Access-Control-Max-Age", "600");
        ctx.header("Vary", "Origin");
        ctx.status(204);
    }

    private @Nullable String allowedOrigin(Context ctx) {
        @Nullable String origin = ctx.header("Origin");
        return origin != null && allowedAnywhere.test(origin.toLowerCase(Locale.ROOT)) ? origin : null;
    }
}
