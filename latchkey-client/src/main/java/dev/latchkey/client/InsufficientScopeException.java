package dev.latchkey.client;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Latchkey answered {@code 403 insufficient_scope} (RFC 6750 §3.1): the credential is valid but
 * lacks the scopes in {@link #scopes()}, which the server named in the challenge.
 */
public final class InsufficientScopeException extends LatchkeyException {
    private static final long serialVersionUID = 1L;
    private final String scope;

    InsufficientScopeException(String scope) {
        super("Latchkey needs more scope (403 insufficient_scope"
                + (scope.isBlank() ? "" : ", scope=\"" + quoted(scope) + "\"")
                + ")");
        this.scope = scope;
    }

    /** The scopes the server asked for (RFC 6749 §3.3, space-separated), in its order; may be empty. */
    public Set<String> scopes() {
        Set<String> scopes = new LinkedHashSet<>();
        Arrays.stream(scope.split(" ", -1)).filter(s -> !s.isEmpty()).forEach(scopes::add);
        return Collections.unmodifiableSet(scopes);
    }
}
