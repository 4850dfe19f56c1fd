package dev.latchkey.core.downstream;

import com.nimbusds.oauth2.sdk.GrantType;
import com.nimbusds.oauth2.sdk.ResponseType;
import com.nimbusds.oauth2.sdk.auth.ClientAuthenticationMethod;
import com.nimbusds.oauth2.sdk.client.ClientMetadata;
import dev.latchkey.core.tenant.TenantId;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Who Latchkey is to an authorization server that accepts Client ID Metadata Documents (the MCP
 * authorization spec's default way for a client to identify itself without registering): the
 * {@code client_id} is an https URL of Latchkey's own, one per tenant, that serves the client's
 * metadata (a public client with PKCE, Latchkey's callback as its only redirect URI).
 */
public final class ClientIdentity {
    /** The path under the public URL where a tenant's document is served. */
    public static final String PATH_PREFIX = "/oauth/client/";

    private final URI publicUrl;
    private final URI redirectUri;

    public ClientIdentity(URI publicUrl, URI redirectUri) {
        this.publicUrl = publicUrl;
        this.redirectUri = redirectUri;
    }

    /** The {@code client_id} of {@code tenant}: the URL of its metadata document. */
    public URI clientId(TenantId tenant) {
        return at(publicUrl, PATH_PREFIX + tenant.value());
    }

    /** {@code path} (starting with {@code /}) under Latchkey's public URL, with or without its trailing slash. */
    public static URI at(URI publicUrl, String path) {
        String base = publicUrl.toString();
        return URI.create((base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + path);
    }

    /** The metadata document of {@code tenant}, as the JSON object to serve at {@link #clientId}. */
    public Map<String, Object> document(TenantId tenant) {
        ClientMetadata metadata = new ClientMetadata();
        metadata.setName("Latchkey (" + tenant.value() + ")");
        metadata.setURI(publicUrl);
        metadata.setRedirectionURI(redirectUri);
        metadata.setGrantTypes(Set.of(GrantType.AUTHORIZATION_CODE, GrantType.REFRESH_TOKEN));
        metadata.setResponseTypes(Set.of(ResponseType.CODE));
        metadata.setTokenEndpointAuthMethod(ClientAuthenticationMethod.NONE);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("client_id", clientId(tenant).toString());
        json.putAll(metadata.toJSONObject());
        return json;
    }
}
