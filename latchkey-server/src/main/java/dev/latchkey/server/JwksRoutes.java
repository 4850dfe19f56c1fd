package dev.latchkey.server;

import dev.latchkey.core.signing.SigningKeys;
import io.javalin.http.Context;

/**
 * {@code GET /.well-known/jwks.json}: the public keys of the tokens Latchkey itself issues (ES256;
 * never a private part, never a shared secret). Public, cacheable for five minutes.
 */
public final class JwksRoutes implements RouteModule {
    private final SigningKeys keys;

    public JwksRoutes(SigningKeys keys) {
        this.keys = keys;
    }

    @Override
    public void register(Routes routes) {
        routes.get("/.well-known/jwks.json", this::jwks);
    }

    private void jwks(Context ctx) {
        ctx.header("Cache-Control", "public, max-age=300");
        ctx.contentType("application/jwk-set+json");
        ctx.result(ctx.jsonMapper().toJsonString(keys.publicJwks(), Object.class));
    }
}
