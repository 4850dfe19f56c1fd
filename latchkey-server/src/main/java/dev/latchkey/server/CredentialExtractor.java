package dev.latchkey.server;

import dev.latchkey.core.inbound.Credentials;
import dev.latchkey.core.secret.Secret;
import dev.latchkey.core.tenant.TenantId;
import io.javalin.http.Context;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Reads the credentials of a request the way RFC 6750 §2 allows: only the {@code Authorization}
 * header with the {@code Bearer} scheme (case-insensitive, §2.1), never the query string or a form
 * body (§2.2, §2.3 are not supported: URLs and bodies end up in logs), plus an {@code X-Api-Key}
 * header and the tenant the caller names in {@code X-Tenant-Id}, together with the client the
 * request comes from as {@link ClientAddressFilter} decided it.
 */
final class CredentialExtractor {
    static final String API_KEY_HEADER = "X-Api-Key";
    static final String TENANT_HEADER = "X-Tenant-Id";

    // RFC 6750 §2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
    private static final Pattern B64TOKEN = Pattern.compile("[A-Za-z0-9\\-._~+/]+=*");
    private static final Pattern API_KEY = Pattern.compile("[A-Za-z0-9_\\-]{16,256}");

    private CredentialExtractor() {}

    /** The credentials, or why the request is malformed (an RFC 6750 {@code invalid_request}). */
    sealed interface Extracted {
        record Found(Credentials credentials) implements Extracted {}

        record Malformed(String description) implements Extracted {}
    }

    static Extracted extract(Context ctx) {
        List<String> authorizations = headers(ctx, "Authorization");
        List<String> apiKeys = headers(ctx, API_KEY_HEADER);
        List<String> tenants = headers(ctx, TENANT_HEADER);
        if (authorizations.size() > 1 || apiKeys.size() > 1 || tenants.size() > 1) {
            return new Extracted.Malformed("repeated credential or tenant header");
        }
        if (ctx.queryParamMap().containsKey("access_token")) {
            // RFC 6750 §3.1: more than one method, or a method this server does not accept.
            return new Extracted.Malformed("tokens are accepted in the Authorization header only");
        }
        @Nullable TenantId tenant = null;
        if (!tenants.isEmpty()) {
            try {
                tenant = TenantId.of(tenants.getFirst());
            } catch (IllegalArgumentException e) {
                return new Extracted.Malformed("X-Tenant-Id is not a valid tenant id");
            }
        }
        @Nullable Secret bearer = null;
        if (!authorizations.isEmpty()) {
            String value = authorizations.getFirst().strip();
            int space = value.indexOf(' ');
            String scheme = space < 0 ? value : value.substring(0, space);
            if (!scheme.toLowerCase(Locale.ROOT).equals("bearer")) {
                return new Extracted.Malformed("the Authorization scheme must be Bearer");
            }
            String token = space < 0 ? "" : value.substring(space + 1).strip();
            if (!B64TOKEN.matcher(token).matches()) {
                return new Extracted.Malformed("the bearer token is empty or not a b64token");
            }
            bearer = Secret.of(token);
        }
        @Nullable Secret apiKey = null;
        if (!apiKeys.isEmpty()) {
            String value = apiKeys.getFirst().strip();
            if (!API_KEY.matcher(value).matches()) {
                return new Extracted.Malformed("X-Api-Key is not an API key");
            }
            apiKey = Secret.of(value);
        }
        if (bearer != null && apiKey != null) {
            return new Extracted.Malformed("present either a bearer token or an API key, not both");
        }
        return new Extracted.Found(
                new Credentials(tenant, bearer, apiKey, ClientAddressFilter.of(ctx.req()), sessionCookie(ctx)));
    }

    /**
     * The browser session cookie, considered only on safe methods (GET, HEAD): a state-changing
     * request must carry an explicit credential, so no cross-site form can act with the cookie.
     */
    private static @Nullable Secret sessionCookie(Context ctx) {
        String method = ctx.method().name();
        if (!method.equals("GET") && !method.equals("HEAD")) {
            return null;
        }
        return SessionCookies.of(ctx)
                .session(ctx)
                .filter(value -> !value.isEmpty() && value.length() <= 128)
                .map(Secret::of)
                .orElse(null);
    }

    private static List<String> headers(Context ctx, String name) {
        return Optional.ofNullable(ctx.req().getHeaders(name))
                .map(values -> java.util.Collections.list(values))
                .orElse(new java.util.ArrayList<>());
    }
}
