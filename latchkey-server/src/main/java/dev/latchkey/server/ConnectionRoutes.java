package dev.latchkey.server;

import dev.latchkey.core.downstream.ConnectFinish;
import dev.latchkey.core.downstream.ConnectStart;
import dev.latchkey.core.downstream.Connections;
import dev.latchkey.core.grant.ResourceName;
import dev.latchkey.core.grant.VersionedTokenSet;
import dev.latchkey.core.identity.IdentityResolver;
import dev.latchkey.core.identity.Principal;
import dev.latchkey.core.identity.UserId;
import dev.latchkey.core.inbound.Authenticator;
import io.javalin.http.Context;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * A user's downstream accounts (DESIGN.md C5, "Connect"): {@code GET /v1/connections} lists them,
 * {@code GET /v1/connections/{resource}/authorize} starts a connect flow (a {@code 302} to the
 * authorization server, or {@code 200 {authorization_url, expires_at}} for {@code Accept:
 * application/json}), {@code GET /v1/connections/callback} finishes it, and {@code DELETE
 * /v1/connections/{resource}} disconnects (revoking at the server where it can). The callback
 * needs no credentials: its single-use {@code state} names the flow, which is bound to the tenant,
 * user and resource that started it.
 */
public final class ConnectionRoutes implements RouteModule {
    /** The scope a service principal or API key needs to disconnect a user's account. */
    public static final String WRITE_SCOPE = "connections:write";

    private static final int MAX_PARAMETER_LENGTH = 4096;

    private final RequestAuthentication authentication;
    private final IdentityResolver identities;
    private final Connections connections;

    public ConnectionRoutes(
            Authenticator authenticator, IdentityResolver identities, Connections connections, MeterRegistry metrics) {
        this.authentication = new RequestAuthentication(authenticator, metrics);
        this.identities = identities;
        this.connections = connections;
    }

    @Override
    public void register(Routes routes) {
        routes.get("/v1/connections", this::list);
        routes.get("/v1/connections/callback", this::callback);
        routes.get("/v1/connections/{resource}/authorize", this::authorize);
        routes.delete("/v1/connections/{resource}", this::disconnect);
    }

    private void list(Context ctx) {
        acting(ctx, TokenRoutes.SCOPE).ifPresent(call -> {
            List<Map<String, Object>> items = connections.list(call.principal().tenant(), call.user()).stream()
                    .map(ConnectionRoutes::describe)
                    .toList();
            ctx.header("Cache-Control", "no-store");
            ctx.json(Map.of("connections", items));
        });
    }

    private void authorize(Context ctx) {
        Optional<Call> caller = acting(ctx, TokenRoutes.SCOPE);
        if (caller.isEmpty()) {
            return;
        }
        Optional<ResourceName> resource = TokenRoutes.resourceName(ctx);
        if (resource.isEmpty()) {
            return;
        }
        Set<String> extraScopes;
        @Nullable URI returnTo;
        try {
            extraScopes = scopes(ctx.queryParam("scope"));
            returnTo = returnTo(ctx.queryParam("return_to"));
        } catch (IllegalArgumentException e) {
            TokenRoutes.invalidRequest(ctx, e.getMessage() == null ? "invalid parameter" : e.getMessage());
            return;
        }
        Call call = caller.get();
        ctx.header("Cache-Control", "no-store");
        switch (connections.start(call.principal().tenant(), call.user(), resource.get(), extraScopes, returnTo)) {
            case ConnectStart.Started started -> {
                if (wantsJson(ctx)) {
                    ctx.json(Map.of(
                            "authorization_url",
                            started.authorizationUrl().toString(),
                            "expires_at",
                            started.expiresAt().toString()));
                } else {
                    ctx.redirect(started.authorizationUrl().toString(), io.javalin.http.HttpStatus.FOUND);
                }
            }
            case ConnectStart.Refused refused -> {
                int status = switch (refused.error()) {
                    case "unknown_resource" -> 404;
                    case "not_connectable" -> 409;
                    default -> 400;
                };
                String error = status == 400 ? "invalid_request" : refused.error();
                ctx.status(status).json(Map.of("error", error, "error_description", refused.description()));
            }
            case ConnectStart.Unavailable unavailable -> TokenRoutes.unavailable(ctx, unavailable.retryAfter());
        }
    }

    private void callback(Context ctx) {
        ctx.header("Cache-Control", "no-store");
        Connections.Callback callback = new Connections.Callback(
                bounded(ctx.queryParam("state")),
                bounded(ctx.queryParam("code")),
                bounded(ctx.queryParam("error")),
                bounded(ctx.queryParam("iss")));
        ConnectFinish finish = connections.finish(callback);
        Optional<URI> back = finish.returnAddress();
        switch (finish) {
            case ConnectFinish.Connected connected -> {
                String resource = connected.key().resource().value();
                if (back.isPresent()) {
                    ctx.redirect(
                            withParameter(back.get(), "latchkey_connected", resource),
                            io.javalin.http.HttpStatus.SEE_OTHER);
                } else {
                    page(
                            ctx,
                            200,
                            "Connected",
                            "Your " + resource + " account is connected. You can close this window.");
                }
            }
            case ConnectFinish.Failed failed -> {
                if (back.isPresent()) {
                    ctx.redirect(
                            withParameter(back.get(), "latchkey_error", failed.error()),
                            io.javalin.http.HttpStatus.SEE_OTHER);
                } else if (wantsJson(ctx)) {
                    ctx.status(400).json(Map.of("error", failed.error(), "error_description", failed.description()));
                } else {
                    page(ctx, 400, "Not connected", failed.description() + " (" + failed.error() + ")");
                }
            }
        }
    }

    private void disconnect(Context ctx) {
        acting(ctx, WRITE_SCOPE)
                .ifPresent(call -> TokenRoutes.resourceName(ctx).ifPresent(resource -> {
                    if (connections.disconnect(call.principal().tenant(), call.user(), resource)) {
                        ctx.status(204);
                    } else {
                        ctx.status(404)
                                .json(Map.of(
                                        "error", "not_found", "error_description", "no connection to that resource"));
                    }
                }));
    }

    private Optional<Call> acting(Context ctx, String scope) {
        Optional<Principal> principal = authentication.authenticate(ctx, "connections");
        if (principal.isEmpty()) {
            return Optional.empty();
        }
        return ActingUser.of(ctx, principal.get(), scope, identities).map(user -> new Call(principal.get(), user));
    }

    private static Map<String, Object> describe(VersionedTokenSet grant) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("resource", grant.key().resource().value());
        json.put("scope", String.join(" ", new TreeSet<>(grant.tokens().scopes())));
        grant.tokens().expiry().ifPresent(at -> json.put("expires_at", at.toString()));
        json.put("refreshable", grant.tokens().refreshToken() != null);
        return json;
    }

    private static Set<String> scopes(@Nullable String value) {
        return value == null || value.isBlank() ? Set.of() : TokenRoutes.scopes(value);
    }

    private static @Nullable URI returnTo(@Nullable String value) {
        if (value == null || value.isEmpty()) {
            return null;
        }
        try {
            URI uri = new URI(value);
            if (!uri.isAbsolute()
                    || uri.getHost() == null
                    || uri.getRawUserInfo() != null
                    || uri.getRawFragment() != null) {
                throw new IllegalArgumentException("return_to must be an absolute URL without user info or fragment");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("return_to is not a URL", e);
        }
    }

    private static @Nullable String bounded(@Nullable String value) {
        return value == null || value.length() > MAX_PARAMETER_LENGTH ? null : value;
    }

    private static boolean wantsJson(Context ctx) {
        String accept = ctx.header("Accept");
        return accept != null && accept.contains("application/json");
    }

    private static String withParameter(URI base, String name, String value) {
        String separator = base.getRawQuery() == null ? "?" : "&";
        return base + separator + name + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static void page(Context ctx, int status, String title, String message) {
        ctx.status(status);
        ctx.contentType("text/html; charset=utf-8");
        ctx.result("<!doctype html><html><head><meta charset=\"utf-8\"><title>" + escape(title)
                + "</title></head><body><h1>" + escape(title) + "</h1><p>" + escape(message)
                + "</p></body></html>");
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;")
                .replace("<", "&lt;")
                .replace(">", "&gt;")
                .replace("\"", "&quot;")
                .replace("'", "&#39;");
    }

    private record Call(Principal principal, UserId user) {}
}
