package dev.latchkey.app;

import com.nimbusds.oauth2.sdk.ClientCredentialsGrant;
import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.token.AccessToken;
import dev.latchkey.app.config.GroupDirectoryConfig;
import dev.latchkey.core.identity.GroupDirectory;
import dev.latchkey.core.identity.GroupLookup;
import dev.latchkey.core.identity.HttpGroupDirectory;
import dev.latchkey.core.identity.TokenIdentity;
import dev.latchkey.core.secret.Secret;
import java.io.IOException;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The directory that resolves a tenant's Entra groups overage: {@link HttpGroupDirectory} over the
 * configured endpoint, with a client-credentials access token obtained at the configured token
 * endpoint and kept until shortly before it expires, and the groups found kept per user for a few
 * minutes (a bound user's every request would otherwise call the directory).
 */
final class GroupDirectories {
    /** Bounds each call to the token endpoint and to the directory. */
    static final Duration TIMEOUT = Duration.ofSeconds(5);
    /** How long a user's groups found in the directory are reused. */
    static final Duration GROUPS_TTL = Duration.ofMinutes(5);

    private static final int MAX_CACHED_USERS = 10_000;

    private GroupDirectories() {}

    static GroupDirectory of(GroupDirectoryConfig config, Clock clock) {
        HttpClient client = HttpClient.newBuilder()
                .connectTimeout(TIMEOUT)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        return new Caching(
                new HttpGroupDirectory(client, config.endpoint(), new ClientCredentialsToken(config, clock), TIMEOUT),
                clock);
    }

    /**
     * A client-credentials access token ({@code client_secret_basic}), requested when none is held
     * or the held one is about to expire. A failure throws without naming the token or secret; the
     * directory then reports {@code directory_error}.
     */
    static final class ClientCredentialsToken implements Supplier<Secret> {
        private static final Duration DEFAULT_LIFETIME = Duration.ofMinutes(5);
        private static final Duration MARGIN = Duration.ofSeconds(60);

        private final GroupDirectoryConfig config;
        private final Clock clock;
        private @Nullable Secret token;
        private Instant renewAt = Instant.MIN;

        ClientCredentialsToken(GroupDirectoryConfig config, Clock clock) {
            this.config = config;
            this.clock = clock;
        }

        @Override
        public synchronized Secret get() {
            Secret held = token;
            if (held != null && clock.instant().isBefore(renewAt)) {
                return held;
            }
            Instant requestedAt = clock.instant();
            TokenRequest request = new TokenRequest.Builder(
                            config.tokenEndpoint(),
                            new ClientSecretBasic(
                                    new ClientID(config.clientId()),
                                    new com.nimbusds.oauth2.sdk.auth.Secret(
                                            config.clientSecret().reveal())),
                            new ClientCredentialsGrant())
                    .scope(Scope.parse(config.scope()))
                    .build();
            HTTPRequest http = request.toHTTPRequest();
            http.setConnectTimeout((int) TIMEOUT.toMillis());
            http.setReadTimeout((int) TIMEOUT.toMillis());
            TokenResponse response;
            try {
                response = TokenResponse.parse(http.send());
            } catch (IOException | ParseException e) {
                throw new IllegalStateException("group directory token endpoint unavailable", e);
            }
            if (!response.indicatesSuccess()) {
                throw new IllegalStateException("group directory token request refused");
            }
            AccessToken accessToken = response.toSuccessResponse().getTokens().getAccessToken();
            Duration lifetime =
                    accessToken.getLifetime() > 0 ? Duration.ofSeconds(accessToken.getLifetime()) : DEFAULT_LIFETIME;
            // Renew a minute early, or halfway through a short lifetime.
            Duration margin = lifetime.compareTo(MARGIN.multipliedBy(2)) > 0 ? MARGIN : lifetime.dividedBy(2);
            Secret fresh = Secret.of(accessToken.getValue());
            token = fresh;
            renewAt = requestedAt.plus(lifetime).minus(margin);
            return fresh;
        }

        @Override
        public String toString() {
            return "ClientCredentialsToken[" + config.tokenEndpoint() + "]";
        }
    }

    /** Keeps the groups found per (tenant, issuer, object id) for {@link #GROUPS_TTL}; failures are not kept. */
    static final class Caching implements GroupDirectory {
        private record Key(String tenant, String issuer, String objectId) {}

        private record Entry(GroupLookup.Found found, Instant expires) {}

        private final GroupDirectory directory;
        private final Clock clock;
        private final Map<Key, Entry> entries = new ConcurrentHashMap<>();

        Caching(GroupDirectory directory, Clock clock) {
            this.directory = directory;
            this.clock = clock;
        }

        @Override
        public GroupLookup groupsOf(TokenIdentity identity) {
            if (!(identity.claims().get("oid") instanceof String oid)) {
                return directory.groupsOf(identity);
            }
            Key key = new Key(identity.tenant().toString(), identity.issuer(), oid);
            Instant now = clock.instant();
            Entry entry = entries.get(key);
            if (entry != null && now.isBefore(entry.expires())) {
                return entry.found();
            }
            GroupLookup lookup = directory.groupsOf(identity);
            if (lookup instanceof GroupLookup.Found found) {
                if (entries.size() >= MAX_CACHED_USERS) {
                    entries.values().removeIf(old -> !now.isBefore(old.expires()));
                    if (entries.size() >= MAX_CACHED_USERS) {
                        entries.clear();
                    }
                }
                entries.put(key, new Entry(found, now.plus(GROUPS_TTL)));
            }
            return lookup;
        }

        @Override
        public String toString() {
            return "Caching" + directory;
        }
    }
}
