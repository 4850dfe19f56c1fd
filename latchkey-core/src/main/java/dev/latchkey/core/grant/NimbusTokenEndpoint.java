package dev.latchkey.core.grant;

import com.nimbusds.oauth2.sdk.AccessTokenResponse;
import com.nimbusds.oauth2.sdk.AuthorizationCode;
import com.nimbusds.oauth2.sdk.AuthorizationCodeGrant;
import com.nimbusds.oauth2.sdk.AuthorizationGrant;
import com.nimbusds.oauth2.sdk.ErrorObject;
import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.RefreshTokenGrant;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.TokenRevocationRequest;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.auth.ClientSecretPost;
import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import com.nimbusds.oauth2.sdk.token.AccessToken;
import com.nimbusds.oauth2.sdk.token.RefreshToken;
import dev.latchkey.core.secret.Secret;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The {@link TokenEndpoint} over HTTP with the Nimbus OAuth 2 SDK: one token request per call
 * ({@code refresh_token}, RFC 6749 §6, or {@code authorization_code} with its PKCE verifier, RFC
 * 7636), authenticated as the resource's client is configured ({@code client_secret_basic}, {@code
 * client_secret_post} or as a public client), with the RFC 8707 resource indicator where one is
 * configured; and RFC 7009 revocation. Redirects are never followed. Connect and read timeouts both come from the
 * deadline, so a server that hangs costs at most the deadline. Error classification: {@code
 * invalid_grant}, {@code invalid_client} and {@code unauthorized_client} are terminal; 429, 5xx,
 * I/O failures, malformed answers and any other error are transient, because ending a grant on
 * an answer we do not understand would force the user to consent again for nothing.
 */
public final class NimbusTokenEndpoint implements TokenEndpoint, ConnectEndpoint {
    /** The reason of a transient outcome whose request never reached the server. */
    public static final String NOT_SENT = "not_sent";

    private static final Set<String> TERMINAL_ERRORS = Set.of("invalid_grant", "invalid_client", "unauthorized_client");

    /** How the client authenticates at the token endpoint (RFC 6749 §2.3, RFC 8414 §2). */
    public enum AuthMethod {
        /** HTTP Basic with the client id and secret (RFC 6749 §2.3.1, the RFC 8414 default). */
        CLIENT_SECRET_BASIC,
        /** The client id and secret as form parameters. */
        CLIENT_SECRET_POST,
        /** A public client: only its {@code client_id}. */
        NONE
    }

    /**
     * Where and as whom a grant is redeemed, refreshed and revoked.
     *
     * @param tokenEndpoint the authorization server's token endpoint
     * @param clientId the client identifier
     * @param clientSecret the client secret; absent for a public client, which sends only its
     *     {@code client_id}
     * @param authMethod how the secret is presented; {@link AuthMethod#NONE} exactly when there is
     *     no secret
     * @param resource the RFC 8707 resource indicator sent with every request, if any
     * @param revocationEndpoint the RFC 7009 revocation endpoint, if the server has one
     */
    public record Client(
            URI tokenEndpoint,
            String clientId,
            @Nullable Secret clientSecret,
            AuthMethod authMethod,
            @Nullable URI resource,
            @Nullable URI revocationEndpoint) {
        public Client {
            if (clientId.isBlank()) {
                throw new IllegalArgumentException("client id must not be blank");
            }
            if ((clientSecret == null) != (authMethod == AuthMethod.NONE)) {
                throw new IllegalArgumentException("a client has a secret exactly when it authenticates with one");
            }
        }

        /** A client with {@code client_secret_basic} (or a public client), no resource indicator. */
        public Client(URI tokenEndpoint, String clientId, @Nullable Secret clientSecret) {
            this(
                    tokenEndpoint,
                    clientId,
                    clientSecret,
                    clientSecret == null ? AuthMethod.NONE : AuthMethod.CLIENT_SECRET_BASIC,
                    null,
                    null);
        }

        TokenRequest.Builder request(AuthorizationGrant grant) {
            ClientID id = new ClientID(clientId);
            @Nullable Secret secret = clientSecret;
            TokenRequest.Builder builder = switch (authMethod) {
                case NONE -> new TokenRequest.Builder(tokenEndpoint, id, grant);
                case CLIENT_SECRET_BASIC ->
                    new TokenRequest.Builder(tokenEndpoint, new ClientSecretBasic(id, nimbusSecret(secret)), grant);
                case CLIENT_SECRET_POST ->
                    new TokenRequest.Builder(tokenEndpoint, new ClientSecretPost(id, nimbusSecret(secret)), grant);
            };
            if (resource != null) {
                builder.resource(resource);
            }
            return builder;
        }

        static com.nimbusds.oauth2.sdk.auth.Secret nimbusSecret(@Nullable Secret secret) {
            if (secret == null) {
                throw new IllegalStateException("client secret missing");
            }
            return new com.nimbusds.oauth2.sdk.auth.Secret(secret.reveal());
        }
    }

    private final Function<GrantKey, Optional<Client>> clients;
    private final Clock clock;

    /**
     * @param clients the client for each grant's resource; a grant without one is not refreshed
     *     (a transient {@code resource_not_configured}, so a configuration slip never ends grants)
     * @param clock the clock that turns {@code expires_in} into an expiry instant
     */
    public NimbusTokenEndpoint(Function<GrantKey, Optional<Client>> clients, Clock clock) {
        this.clients = clients;
        this.clock = clock;
    }

    @Override
    public RefreshOutcome refresh(GrantKey key, Secret refreshToken, Duration deadline) {
        Optional<Client> client = clients.apply(key);
        if (client.isEmpty()) {
            return new RefreshOutcome.Transient("resource_not_configured", null);
        }
        return send(client.get().request(new RefreshTokenGrant(new RefreshToken(refreshToken.reveal()))), deadline);
    }

    @Override
    public RefreshOutcome redeem(GrantKey key, Secret code, Secret codeVerifier, URI redirectUri, Duration deadline) {
        Optional<Client> client = clients.apply(key);
        if (client.isEmpty()) {
            return new RefreshOutcome.Transient("resource_not_configured", null);
        }
        AuthorizationCodeGrant grant = new AuthorizationCodeGrant(
                new AuthorizationCode(code.reveal()), redirectUri, new CodeVerifier(codeVerifier.reveal()));
        return send(client.get().request(grant), deadline);
    }

    @Override
    public boolean revoke(GrantKey key, Secret token, Duration deadline) {
        Optional<Client> configured = clients.apply(key);
        if (configured.isEmpty() || configured.get().revocationEndpoint() == null) {
            return false;
        }
        Client client = configured.get();
        URI endpoint = Objects.requireNonNull(client.revocationEndpoint());
        RefreshToken refreshToken = new RefreshToken(token.reveal());
        ClientID id = new ClientID(client.clientId());
        @Nullable Secret secret = client.clientSecret();
        TokenRevocationRequest revocation = switch (client.authMethod()) {
            case NONE -> new TokenRevocationRequest(endpoint, id, refreshToken);
            case CLIENT_SECRET_BASIC ->
                new TokenRevocationRequest(
                        endpoint, new ClientSecretBasic(id, Client.nimbusSecret(secret)), refreshToken);
            case CLIENT_SECRET_POST ->
                new TokenRevocationRequest(
                        endpoint, new ClientSecretPost(id, Client.nimbusSecret(secret)), refreshToken);
        };
        HTTPRequest request = revocation.toHTTPRequest();
        bound(request, deadline);
        try {
            // RFC 7009 §2.2: 200 whether or not the token was valid.
            return request.send().getStatusCode() == 200;
        } catch (IOException e) {
            return false;
        }
    }

    private RefreshOutcome send(TokenRequest.Builder builder, Duration deadline) {
        HTTPRequest request = builder.build().toHTTPRequest();
        bound(request, deadline);
        Instant requestedAt = clock.instant();
        HTTPResponse response;
        try {
            response = request.send();
        } catch (SocketTimeoutException e) {
            return new RefreshOutcome.Transient("timeout", null);
        } catch (ConnectException | UnknownHostException e) {
            // Nothing reached the server: safe to try again (RetryingTokenEndpoint).
            return new RefreshOutcome.Transient(NOT_SENT, null);
        } catch (IOException e) {
            return new RefreshOutcome.Transient("connection_failed", null);
        }
        return classify(response, requestedAt);
    }

    private static void bound(HTTPRequest request, Duration deadline) {
        int timeoutMillis = Math.clamp(deadline.toMillis(), 1, Integer.MAX_VALUE);
        request.setConnectTimeout(timeoutMillis);
        request.setReadTimeout(timeoutMillis);
        request.setFollowRedirects(false);
    }

    private RefreshOutcome classify(HTTPResponse response, Instant requestedAt) {
        int status = response.getStatusCode();
        if (status == 429 || status >= 500) {
            return new RefreshOutcome.Transient("http_" + status, retryAfter(response));
        }
        TokenResponse parsed;
        try {
            parsed = TokenResponse.parse(response);
        } catch (ParseException e) {
            return new RefreshOutcome.Transient("malformed_response", null);
        }
        if (!parsed.indicatesSuccess()) {
            ErrorObject error = parsed.toErrorResponse().getErrorObject();
            String code = error == null || error.getCode() == null ? "" : error.getCode();
            if (TERMINAL_ERRORS.contains(code)) {
                return new RefreshOutcome.Terminal(code);
            }
            return new RefreshOutcome.Transient("error_response", retryAfter(response));
        }
        AccessTokenResponse success = parsed.toSuccessResponse();
        AccessToken access = success.getTokens().getAccessToken();
        @Nullable RefreshToken rotated = success.getTokens().getRefreshToken();
        try {
            return new RefreshOutcome.Refreshed(new TokenSet(
                    Secret.of(access.getValue()),
                    rotated == null ? null : Secret.of(rotated.getValue()),
                    access.getType().getValue(),
                    scopes(access.getScope()),
                    access.getLifetime() > 0 ? requestedAt.plusSeconds(access.getLifetime()) : null));
        } catch (IllegalArgumentException e) {
            return new RefreshOutcome.Transient("malformed_response", null);
        }
    }

    private static Set<String> scopes(@Nullable Scope scope) {
        Set<String> values = new LinkedHashSet<>();
        if (scope != null) {
            for (Scope.Value value : scope) {
                values.add(value.getValue());
            }
        }
        return values;
    }

    /** RFC 9110 §10.2.3: either a number of seconds or an HTTP date. */
    private @Nullable Duration retryAfter(HTTPResponse response) {
        @Nullable String value = response.getHeaderValue("Retry-After");
        if (value == null || value.isBlank()) {
            return null;
        }
        String trimmed = value.trim();
        try {
            long seconds = Long.parseLong(trimmed);
            return seconds < 0 ? null : Duration.ofSeconds(seconds);
        } catch (NumberFormatException notSeconds) {
            try {
                Instant at = ZonedDateTime.parse(trimmed, DateTimeFormatter.RFC_1123_DATE_TIME)
                        .toInstant();
                Duration wait = Duration.between(clock.instant(), at);
                return wait.isNegative() ? Duration.ZERO : wait;
            } catch (DateTimeParseException notADate) {
                return null;
            }
        }
    }
}
