package dev.latchkey.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.oauth2.sdk.AuthorizationCode;
import com.nimbusds.oauth2.sdk.AuthorizationCodeGrant;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.token.RefreshToken;
import dev.latchkey.core.grant.GrantKey;
import dev.latchkey.core.grant.StoreResult;
import dev.latchkey.core.grant.TokenSet;
import dev.latchkey.core.grant.TokenStore;
import dev.latchkey.core.secret.Secret;
import dev.latchkey.testkit.MockIdp;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

/**
 * Grants connected the real way at mock-oauth2-server: an authorization code from the issuer named
 * after the key's tenant, redeemed for a refresh token the server will honour exactly once.
 */
final class ConnectedGrants {
    private static final URI REDIRECT = URI.create("http://127.0.0.1/callback");

    private final MockIdp idp;
    private final TokenStore store;

    ConnectedGrants(MockIdp idp, TokenStore store) {
        this.idp = idp;
        this.store = store;
    }

    /** Stores {@code template} for {@code key} with a refresh token the server issued; returns it. */
    String connect(GrantKey key, TokenSet template) throws Exception {
        String issuer = key.tenant().value();
        URI authorize = URI.create(idp.issuer(issuer) + "/authorize?response_type=code&client_id=latchkey"
                + "&scope=openid%20offline_access&state=s&nonce=n&redirect_uri=" + REDIRECT);
        String location;
        try (HttpClient http = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NEVER)
                .build()) {
            HttpResponse<String> redirect = http.send(
                    HttpRequest.newBuilder(authorize).GET().build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            location = redirect.headers().firstValue("Location").orElseThrow();
        }
        String code = location.replaceAll(".*[?&]code=([^&]+).*", "$1");
        TokenResponse response = TokenResponse.parse(new TokenRequest.Builder(
                        idp.tokenEndpoint(issuer),
                        new ClientSecretBasic(
                                new ClientID("latchkey"), new com.nimbusds.oauth2.sdk.auth.Secret("client-secret")),
                        new AuthorizationCodeGrant(new AuthorizationCode(code), REDIRECT))
                .build()
                .toHTTPRequest()
                .send());
        RefreshToken issued = response.toSuccessResponse().getTokens().getRefreshToken();
        assertThat(issued).isNotNull();
        TokenSet tokens = new TokenSet(
                template.accessToken(),
                Secret.of(issued.getValue()),
                template.tokenType(),
                template.scopes(),
                template.expiresAt());
        assertThat(store.compareAndSet(key, 0, tokens)).isInstanceOf(StoreResult.Stored.class);
        return issued.getValue();
    }
}
