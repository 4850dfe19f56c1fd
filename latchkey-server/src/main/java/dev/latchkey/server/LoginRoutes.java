package dev.latchkey.server;

import dev.latchkey.core.resource.WebOrigin;
import dev.latchkey.core.secret.Secret;
import dev.latchkey.core.session.BrowserLogins;
import dev.latchkey.core.session.LoginOutcome;
import dev.latchkey.core.tenant.TenantId;
import io.javalin.http.Context;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiPredicate;
import org.jspecify.annotations.Nullable;

/**
 * Browser login (DESIGN.md C3): {@code GET /auth/{tenant}/login}, the provider's answer at {@code
 * GET|POST /auth/{tenant}/callback} (POST for {@code form_post}), {@code POST /auth/{tenant}/logout}
 * (RP-initiated), {@code GET /auth/{tenant}/logged-out} and {@code POST
 * /auth/{tenant}/backchannel-logout}. Pages are small, escaped, and refuse framing (C3-23); logout
 * is POST only and must come from Latchkey's own origin or one of the tenant's panels (C3-24).
 */
public final class LoginRoutes implements RouteModule {
    private static final String PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'";
    private static final int MAX_DESCRIPTION = 200;

    private final BrowserLogins logins;
    private final String ownOrigin;
    private final BiPredicate<TenantId, String> panels;
    private final Duration sessionLifetime;

    /**
     * @param publicUrl Latchkey's public URL (its origin may post logouts)
     * @param panels which other origins may post a tenant's logout
     * @param sessionLifetime the session cookie's lifetime (the session's absolute limit)
     */
    public LoginRoutes(
            BrowserLogins logins, URI publicUrl, BiPredicate<TenantId, String> panels, Duration sessionLifetime) {
        this.logins = logins;
        this.ownOrigin = WebOrigin.of(publicUrl).orElseThrow();
        this.panels = panels;
        this.sessionLifetime = sessionLifetime;
    }

    @Override
    public void register(Routes routes) {
        routes.get("/auth/{tenant}/login", this::login);
        routes.get("/auth/{tenant}/callback", this::callback);
        routes.post("/auth/{tenant}/callback", this::callback);
        routes.post("/auth/{tenant}/logout", this::logout);
        routes.get("/auth/{tenant}/logout", ctx -> {
            ctx.header("Allow", "POST");
            page(ctx, 405, "Log out", "Logging out needs a POST from the application.");
        });
        routes.get("/auth/{tenant}/logged-out", this::loggedOut);
        routes.post("/auth/{tenant}/backchannel-logout", this::backChannelLogout);
    }

    private void login(Context ctx) {
        Optional<TenantId> tenant = tenant(ctx);
        if (tenant.isEmpty()) {
            return;
        }
        switch (logins.start(tenant.get(), ctx.queryParam("return_to"))) {
            case LoginOutcome.Redirect redirect -> {
                SessionCookies.of(ctx)
                        .setLogin(ctx, redirect.binding().reveal(), BrowserLogins.LOGIN_LIFETIME, redirect.formPost());
                ctx.redirect(redirect.authorizationUrl().toString(), io.javalin.http.HttpStatus.FOUND);
            }
            case LoginOutcome outcome -> failure(ctx, outcome);
        }
    }

    private void callback(Context ctx) {
        Optional<TenantId> tenant = tenant(ctx);
        if (tenant.isEmpty()) {
            return;
        }
        boolean post = ctx.method().name().equals("POST");
        // C3-21: only the code flow's parameters are read; tokens in the answer are ignored.
        BrowserLogins.Callback callback = new BrowserLogins.Callback(
                parameter(ctx, "state", post),
                parameter(ctx, "code", post),
                parameter(ctx, "error", post),
                parameter(ctx, "iss", post));
        SessionCookies cookies = SessionCookies.of(ctx);
        @Nullable
        Secret binding = cookies.login(ctx)
                .filter(value -> !value.isEmpty())
                .map(Secret::of)
                .orElse(null);
        cookies.clearLogin(ctx);
        switch (logins.finish(tenant.get(), callback, binding)) {
            case LoginOutcome.LoggedIn loggedIn -> {
                // C3-11: whatever session id the browser brought is ended; the login gets a new one.
                cookies.session(ctx)
                        .filter(value -> !value.isEmpty() && value.length() <= 128)
                        .ifPresent(old -> logins.replace(tenant.get(), Secret.of(old)));
                cookies.setSession(ctx, loggedIn.sessionId().reveal(), sessionLifetime);
                ctx.redirect(loggedIn.returnTo().toString(), io.javalin.http.HttpStatus.SEE_OTHER);
            }
            case LoginOutcome outcome -> failure(ctx, outcome);
        }
    }

    private void logout(Context ctx) {
        Optional<TenantId> tenant = tenant(ctx);
        if (tenant.isEmpty()) {
            return;
        }
        @Nullable String origin = ctx.header("Origin");
        if (origin == null
                || !(origin.equals(ownOrigin) || panels.test(tenant.get(), origin.toLowerCase(Locale.ROOT)))) {
            page(ctx, 403, "Log out", "Logging out must be asked for by the application itself.");
            return;
        }
        SessionCookies cookies = SessionCookies.of(ctx);
        @Nullable
        Secret session = cookies.session(ctx)
                .filter(value -> !value.isEmpty() && value.length() <= 128)
                .map(Secret::of)
                .orElse(null);
        cookies.clearSession(ctx);
        BrowserLogins.Logout logout = logins.logout(tenant.get(), session);
        if (acceptsJson(ctx)) {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("logged_out", logout.sessionEnded());
            json.put("redirect", logout.redirect().toString());
            json.put("provider_logout", logout.providerAsked());
            if (origin.toLowerCase(Locale.ROOT).equals(origin) && panels.test(tenant.get(), origin)) {
                ctx.header("Access-Control-Allow-Origin", origin);
                ctx.header("Access-Control-Allow-Credentials", "true");
                ctx.header("Vary", "Origin");
            }
            ctx.json(json);
            return;
        }
        ctx.redirect(logout.redirect().toString(), io.javalin.http.HttpStatus.SEE_OTHER);
    }

    private void loggedOut(Context ctx) {
        if (tenant(ctx).isPresent()) {
            page(ctx, 200, "Logged out", "You are logged out.");
        }
    }

    private void backChannelLogout(Context ctx) {
        ctx.header("Cache-Control", "no-store");
        Optional<TenantId> tenant = tenant(ctx);
        if (tenant.isEmpty()) {
            return;
        }
        @Nullable String token = ctx.formParam("logout_token");
        if (token == null || token.isEmpty()) {
            ctx.status(400).json(Map.of("error", "invalid_request", "error_description", "logout_token is missing"));
            return;
        }
        Optional<Integer> ended = logins.backChannelLogout(tenant.get(), token);
        if (ended.isEmpty()) {
            ctx.status(400)
                    .json(Map.of("error", "invalid_request", "error_description", "the logout token is not valid"));
            return;
        }
        ctx.status(200);
    }

    private void failure(Context ctx, LoginOutcome outcome) {
        switch (outcome) {
            case LoginOutcome.Failed failed ->
                page(ctx, 400, "Login failed", failed.description() + " (" + failed.error() + ")");
            case LoginOutcome.TooMany tooMany -> {
                ctx.header("Retry-After", String.valueOf(tooMany.retryAfter().toSeconds()));
                page(ctx, 429, "Login busy", "Too many logins are in progress; try again in a minute.");
            }
            case LoginOutcome.Unavailable unavailable -> {
                ctx.header(
                        "Retry-After", String.valueOf(unavailable.retryAfter().toSeconds()));
                page(ctx, 503, "Login unavailable", "The identity provider cannot be reached; try again shortly.");
            }
            default -> page(ctx, 500, "Login failed", "Unexpected outcome.");
        }
    }

    private Optional<TenantId> tenant(Context ctx) {
        try {
            return Optional.of(TenantId.of(ctx.pathParam("tenant")));
        } catch (IllegalArgumentException e) {
            page(ctx, 404, "Not found", "No such tenant.");
            return Optional.empty();
        }
    }

    private static @Nullable String parameter(Context ctx, String name, boolean post) {
        return post ? ctx.formParam(name) : ctx.queryParam(name);
    }

    private static boolean acceptsJson(Context ctx) {
        @Nullable String accept = ctx.header("Accept");
        return accept != null && accept.contains("application/json");
    }

    /** A minimal page: escaped, truncated text (C3-19), no script, no framing (C3-23). */
    private static void page(Context ctx, int status, String title, String text) {
        String shown = text.length() > MAX_DESCRIPTION ? text.substring(0, MAX_DESCRIPTION) + "…" : text;
        ctx.header("Content-Security-Policy", PAGE_CSP);
        ctx.header("X-Frame-Options", "DENY");
        ctx.status(status)
                .contentType("text/html; charset=utf-8")
                .result("<!doctype html><html><head><meta charset=\"utf-8\"><title>" + escape(title)
                        + "</title></head><body><h1>" + escape(title) + "</h1><p id=\"message\">" + escape(shown)
                        + "</p></body></html>");
    }

    static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(Character.isISOControl(c) ? ' ' : c);
            }
        }
        return out.toString();
    }
}
