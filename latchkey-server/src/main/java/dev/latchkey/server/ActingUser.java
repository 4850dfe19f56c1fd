package dev.latchkey.server;

import dev.latchkey.core.identity.IdentityResolver;
import dev.latchkey.core.identity.Principal;
import dev.latchkey.core.identity.Resolution;
import dev.latchkey.core.identity.UserId;
import io.javalin.http.Context;
import java.util.Map;
import java.util.Optional;

/**
 * Whom a caller acts for on the downstream routes (DESIGN.md, "Who calls Latchkey"). A user's bearer
 * token acts for that user. An API key acts for its owner and needs {@code scope}. A service
 * principal names the user in {@value #HEADER}, needs {@code scope}, and can only ever name an
 * existing user of its own tenant ({@link IdentityResolver#actFor}); any other name answers {@code
 * 403 unknown_user}, the same whether the user is missing or belongs to another tenant.
 */
final class ActingUser {
    static final String HEADER = "X-Latchkey-User";

    private ActingUser() {}

    /** The user to act for, or empty when the answer (400/403) is already written. */
    static Optional<UserId> of(Context ctx, Principal principal, String scope, IdentityResolver identities) {
        if (principal.kind() == Principal.Kind.USER) {
            return Optional.of(principal.user());
        }
        if (!principal.scopes().contains(scope)) {
            forbidden(ctx, "insufficient_scope", "this credential lacks the scope " + scope);
            return Optional.empty();
        }
        if (principal.kind() == Principal.Kind.API_KEY) {
            return Optional.of(principal.user());
        }
        String named = ctx.header(HEADER);
        if (named == null || named.isBlank()) {
            ctx.status(400)
                    .json(Map.of(
                            "error",
                            "invalid_request",
                            "error_description",
                            "a service principal names the user it acts for in " + HEADER));
            return Optional.empty();
        }
        UserId user;
        try {
            user = UserId.of(named);
        } catch (IllegalArgumentException e) {
            ctx.status(400).json(Map.of("error", "invalid_request", "error_description", HEADER + " is not a user id"));
            return Optional.empty();
        }
        if (identities.actFor(principal, user) instanceof Resolution.Resolved resolved) {
            return Optional.of(resolved.principal().user());
        }
        forbidden(ctx, "unknown_user", "the named user is not a user of this service's tenant");
        return Optional.empty();
    }

    private static void forbidden(Context ctx, String error, String description) {
        ctx.status(403).json(Map.of("error", error, "error_description", description));
    }
}
