package dev.latchkey.core.grant;

import com.nimbusds.oauth2.sdk.AccessTokenResponse;
import com.nimbusds.oauth2.sdk.ErrorObject;
import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.RefreshTokenGrant;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.token.AccessToken;
import com.nimbusds.oauth2.sdk.token.RefreshToken;
import dev.latchkey.core.secret.Secret;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The {@link TokenEndpoint} over HTTP with the Nimbus OAuth 2 SDK: one {@code refresh_token} grant
 * request per call (RFC 6749 §6), authenticated with {@code client_secret_basic} when the client
 * has a secret and as a public client otherwise. Connect and read timeouts both come from the
 * deadline, so a server that hangs costs at most the deadline. Error classification: {@code
 * invalid_grant}, {@code invalid_client} and {@code unauthorized_client} are terminal; 429, 5xx,
 * I/O failures, malformed answers and any other error are transient, because ending a grant on
 * an answer we do not understand would force the user to consent again for nothing.
 */
public final class NimbusTokenEndpoint implements TokenEndpoint {
    private static final Set<String> TERMINAL_ERRORS = Set.of("invalid_grant", "invalid_client", "unauthorized_client");

    /**
     * Where and as whom a grant is refreshed.
     *
     * @param tokenEndpoint the authorization server's token endpoint
     * @param clientId the client identifier
     * @param clientSecret the client secret for {@code client_secret_basic}; absent for a public
     *     client, which sends only its {@code client_id}
     */
    public record Client(
            URI tokenEndpoint, String clientId, @Nullable Secret clientSecret) {
        public Client {
            if (clientId.isBlank()) {
                throw new IllegalArgumentException("client id must not be blank");
            }
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
        Optional<Client> configured = clients.apply(key);
        if (configured.isEmpty()) {
            return new RefreshOutcome.Transient("resource_not_configured", null);
        }
        Client client = configured.get();
        RefreshTokenGrant grant = new RefreshTokenGrant(new RefreshToken(refreshToken.reveal()));
        @Nullable Secret clientSecret = client.clientSecret();
        TokenRequest.Builder builder = clientSecret == null
                ? new TokenRequest.Builder(client.tokenEndpoint(), new ClientID(client.clientId()), grant)
                : new TokenRequest.Builder(
                        client.tokenEndpoint(),
                        new ClientSecretBasic(
                                new ClientID(client.clientId()),
                                new com.nimbusds.oauth2.sdk.auth.Secret(clientSecret.reveal())),
                        grant);
        HTTPRequest request = builder.build().toHTTPRequest();
        int timeoutMillis = Math.clamp(deadline.toMillis(), 1, Integer.MAX_VALUE);
        request.setConnectTimeout(timeoutMillis);
        request.setReadTimeout(timeoutMillis);
        Instant requestedAt = clock.instant();
        HTTPResponse response;
        try {
            response = request.send();
        } catch (SocketTimeoutException e) {
            return new RefreshOutcome.Transient("timeout", null);
        } catch (IOException e) {
            return new RefreshOutcome.Transient("connection_failed", null);
        }
        return classify(response, requestedAt);
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
