package dev.latchkey.server;

import dev.latchkey.core.identity.Principal;
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
 * request's credentials through the core {@link Authenticator} and answer per RFC 6750 §3 (see
 * {@link RequestAuthentication}).
 */
public final class AuthRoutes implements RouteModule {
    static final String REALM = "latchkey";

    private final RequestAuthentication authentication;

    public AuthRoutes(Authenticator authenticator, MeterRegistry metrics) {
        this.authentication = new RequestAuthentication(authenticator, metrics);
    }

    @Override
    public void register(Routes routes) {
        routes.get("/v1/auth/verify", this::verify);
        routes.get("/v1/me", this::me);
    }

    private void verify(Context ctx) {
        authentication.authenticate(ctx, "verify").ifPresent(principal -> {
            ctx.header("X-Latchkey-Tenant", principal.tenant().value());
            ctx.header("X-Latchkey-User", headerValue(principal.user().value()));
            ctx.header("X-Latchkey-Email", headerValue(principal.emailIfKnown().orElse("")));
            ctx.header("X-Latchkey-Groups", String.join(",", sorted(principal.groups(), true)));
            ctx.header("X-Latchkey-Roles", String.join(",", sorted(principal.roles(), true)));
            ctx.header("X-Latchkey-Scopes", String.join(" ", sorted(principal.scopes(), false)));
            ctx.json(identity(principal));
        });
    }

    private void me(Context ctx) {
        authentication.authenticate(ctx, "me").ifPresent(principal -> ctx.json(identity(principal)));
    }

    private static Map<String, Object> identity(Principal principal) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("tenant", principal.tenant().value());
        json.put("user", principal.user().value());
        json.put("kind", principal.kind().name().toLowerCase(java.util.Locale.ROOT));
        principal.emailIfKnown().ifPresent(email -> json.put("email", email));
        json.put("groups", sorted(principal.groups(), false));
        json.put("roles", sorted(principal.roles(), false));
        json.put("scopes", sorted(principal.scopes(), false));
        return json;
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
