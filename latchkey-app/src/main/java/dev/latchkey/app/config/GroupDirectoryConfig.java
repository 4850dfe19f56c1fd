package dev.latchkey.app.config;

import dev.latchkey.core.secret.Secret;
import java.net.URI;

/**
 * Where a tenant's groups are looked up when Entra ID leaves them out of the token (the groups
 * overage: {@code _claim_names} instead of {@code groups}), and the client credentials Latchkey
 * uses to obtain an access token for that directory.
 *
 * @param endpoint the directory's URL with {@code {oid}} standing for the user's object id, e.g.
 *     {@code https://graph.microsoft.com/v1.0/users/{oid}/getMemberObjects}
 * @param tokenEndpoint where the client-credentials token for the directory is requested
 * @param scope the scope requested, e.g. {@code https://graph.microsoft.com/.default}
 */
public record GroupDirectoryConfig(
        String endpoint, URI tokenEndpoint, String clientId, Secret clientSecret, String scope) {

    /** Microsoft Graph's scope for an application's own permissions. */
    public static final String DEFAULT_SCOPE = "https://graph.microsoft.com/.default";

    /** The placeholder for the user's object id in {@link #endpoint()}. */
    public static final String OBJECT_ID_PLACEHOLDER = "{oid}";
}
