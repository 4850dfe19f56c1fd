package dev.latchkey.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.latchkey.core.identity.ApiKeyAuthentication;
import dev.latchkey.core.identity.ApiKeys;
import dev.latchkey.core.identity.ExternalIdentity;
import dev.latchkey.core.identity.IdentityPolicies;
import dev.latchkey.core.identity.IdentityPolicy;
import dev.latchkey.core.identity.Principal;
import dev.latchkey.core.identity.User;
import dev.latchkey.core.identity.UserDirectory;
import dev.latchkey.core.identity.UserId;
import dev.latchkey.core.inbound.AuthOutcome;
import dev.latchkey.core.inbound.Authenticator;
import dev.latchkey.core.secret.Secret;
import dev.latchkey.core.tenant.TenantId;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The API key routes over real HTTP: the authenticator is scripted at the core port's edge; keys
 * are made by a real {@link ApiKeys} over a tiny in-memory store.
 */
class ApiKeyRoutesTest {
    private static final TenantId ACME = TenantId.of("acme");
    private static final TenantId OFF = TenantId.of("off");
    private static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");
    private static final Pattern KEY = Pattern.compile("\"key\":\"(lk_[0-9A-Za-z_]+)\"");
    private static final Pattern ID = Pattern.compile("\"id\":\"([0-9A-Za-z]{16})\"");

    private final FakeApiKeyStore store = new FakeApiKeyStore();
    private final ApiKeys apiKeys = new ApiKeys(
            store,
            new OneUserDirectory(),
            IdentityPolicies.of(Map.of(
                    ACME, IdentityPolicy.defaults().withApiKeys(true),
                    OFF, IdentityPolicy.defaults().withApiKeys(false))),
            Secret.of("p".repeat(43)),
            event -> {},
            Clock.fixed(NOW, ZoneOffset.UTC));
    private final AtomicReference<AuthOutcome> next = new AtomicReference<>(authenticated(user(ACME)));
    private final Authenticator authenticator = (credentials, scopes) -> next.get();

    @SuppressWarnings("NullAway.Init") // set in @BeforeEach
    private TestServer server;

    @BeforeEach
    void start() {
        server = TestServer.start(
                builder -> builder.routes(new ApiKeyRoutes(authenticator, apiKeys, new SimpleMeterRegistry())));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static Principal user(TenantId tenant) {
        return new Principal(
                tenant,
                UserId.of("alice"),
                Principal.Kind.USER,
                "alice@example.com",
                Set.of(),
                Set.of("read", "write"));
    }

    private static AuthOutcome authenticated(Principal principal) {
        return new AuthOutcome.Authenticated(principal);
    }

    private HttpResponse<String> post(String body) {
        return server.send(server.request("/v1/api-keys")
                .header("Authorization", "Bearer user.token")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build());
    }

    private HttpResponse<String> list() {
        return server.send(server.request("/v1/api-keys")
                .header("Authorization", "Bearer user.token")
                .GET()
                .build());
    }

    private HttpResponse<String> delete(String id) {
        return server.send(server.request("/v1/api-keys/" + id)
                .header("Authorization", "Bearer user.token")
                .DELETE()
                .build());
    }

    private static String group(Pattern pattern, String body) {
        Matcher matcher = pattern.matcher(body);
        assertThat(matcher.find()).as(body).isTrue();
        return matcher.group(1);
    }

    @Test
    void create_userToken_answersKeyOnceThatAuthenticates() {
        HttpResponse<String> created = post("{\"scopes\":[\"read\"],\"expiresAt\":\"2030-02-01T00:00:00Z\"}");

        assertThat(created.statusCode()).isEqualTo(201);
        assertThat(created.headers().firstValue("Cache-Control")).hasValue("no-store");
        assertThat(created.body()).contains("\"scopes\":[\"read\"]").contains("\"expiresAt\":\"2030-02-01T00:00:00Z\"");
        String key = group(KEY, created.body());
        String id = group(ID, created.body());
        assertThat(key).startsWith("lk_" + id + "_");
        assertThat(apiKeys.authenticate(ACME, Secret.of(key)))
                .isInstanceOfSatisfying(
                        ApiKeyAuthentication.Authenticated.class,
                        ok -> assertThat(ok.principal().scopes()).containsExactly("read"));
        assertThat(store.rows().getFirst().toString()).doesNotContain(key.substring(20));

        HttpResponse<String> listed = list();
        assertThat(listed.statusCode()).isEqualTo(200);
        assertThat(listed.body())
                .contains("\"id\":\"" + id + "\"")
                .doesNotContain(key)
                .doesNotContain("hash");
    }

    @Test
    void create_withoutExpiry_keyDoesNotExpire() {
        HttpResponse<String> created = post("{\"scopes\":[]}");

        assertThat(created.statusCode()).isEqualTo(201);
        assertThat(created.body()).doesNotContain("expiresAt").contains("\"scopes\":[]");
    }

    @Test
    void delete_ownKey_204_thenKeyRefused_andSecondDelete404() {
        String body = post("{\"scopes\":[\"read\"]}").body();
        String id = group(ID, body);

        assertThat(delete(id).statusCode()).isEqualTo(204);

        assertThat(apiKeys.authenticate(ACME, Secret.of(group(KEY, body))))
                .isEqualTo(new ApiKeyAuthentication.Refused(ApiKeyAuthentication.Reason.REVOKED));
        assertThat(delete(id).statusCode()).isEqualTo(404);
        assertThat(list().body()).contains("\"revokedAt\":\"" + NOW + "\"");
    }

    @Test
    void delete_unknownOrMalformedId_404() {
        assertThat(delete("AAAAAAAAAAAAAAAA").statusCode()).isEqualTo(404);
        assertThat(delete("not-an-id").statusCode()).isEqualTo(404);
    }

    @Test
    void delete_anotherUsersKey_404_keyStillWorks() {
        String body = post("{\"scopes\":[\"read\"]}").body();
        next.set(authenticated(
                new Principal(ACME, UserId.of("bob"), Principal.Kind.USER, null, Set.of(), Set.of("read", "write"))));

        assertThat(delete(group(ID, body)).statusCode()).isEqualTo(404);

        assertThat(list().body()).isEqualTo("{\"keys\":[]}");
        assertThat(apiKeys.authenticate(ACME, Secret.of(group(KEY, body))))
                .isInstanceOf(ApiKeyAuthentication.Authenticated.class);
    }

    @Test
    void create_tenantWithKeysOff_403ApiKeysDisabled() {
        next.set(authenticated(user(OFF)));

        HttpResponse<String> response = post("{\"scopes\":[\"read\"]}");

        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(response.body()).contains("\"error\":\"api_keys_disabled\"");
        assertThat(store.rows()).isEmpty();
    }

    @Test
    void create_byApiKeyOrService_403_nothingStored() {
        for (Principal.Kind kind : List.of(Principal.Kind.API_KEY, Principal.Kind.SERVICE)) {
            next.set(authenticated(
                    new Principal(ACME, UserId.of("alice"), kind, null, Set.of(), Set.of("read", "write"))));

            HttpResponse<String> response = post("{\"scopes\":[\"read\"]}");

            assertThat(response.statusCode()).isEqualTo(403);
            assertThat(response.body()).contains("\"error\":\"user_token_required\"");
            assertThat(list().statusCode()).isEqualTo(403);
        }
        assertThat(store.rows()).isEmpty();
    }

    @Test
    void create_unauthenticated_401Challenge() {
        next.set(new AuthOutcome.NoCredentials());

        HttpResponse<String> response = post("{\"scopes\":[]}");

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"latchkey\"");
        assertThat(store.rows()).isEmpty();
    }

    @Test
    void create_scopeTheCallerLacks_400_nothingStored() {
        HttpResponse<String> response = post("{\"scopes\":[\"read\",\"admin\"]}");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("\"error\":\"invalid_request\"");
        assertThat(store.rows()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "not json",
                "null",
                "[]",
                "\"scopes\"",
                "{}",
                "{\"scopes\":\"read\"}",
                "{\"scopes\":[1]}",
                "{\"scopes\":[null]}",
                "{\"scopes\":[\"read\"],\"owner\":\"bob\"}",
                "{\"scopes\":[\"re ad\"]}",
                "{\"scopes\":[],\"expiresAt\":\"tomorrow\"}",
                "{\"scopes\":[],\"expiresAt\":\"2030-02-01T00:00:00\"}",
                "{\"scopes\":[],\"expiresAt\":12345}",
                "{\"scopes\":[],\"expiresAt\":\"2029-12-31T23:59:59Z\"}",
                "{\"scopes\":[],\"expiresAt\":\"2030-01-01T00:00:00Z\"}",
                "{\"scopes\":[]} trailing",
                "{\"scopes\":[\"read\"]"
            })
    void create_malformedBody_400InvalidRequest(String body) {
        HttpResponse<String> response = post(body);

        assertThat(response.statusCode()).as(body).isEqualTo(400);
        assertThat(response.body()).contains("\"error\":\"invalid_request\"");
        assertThat(store.rows()).isEmpty();
    }

    @Test
    void create_deeplyNestedJson_400NotServerError() {
        HttpResponse<String> response = post("{\"scopes\":" + "[".repeat(5000) + "]".repeat(5000) + "}");

        assertThat(response.statusCode()).isEqualTo(400);
    }

    @Test
    void create_bodyOver16KiB_400_bothDeclaredAndStreamed() {
        String huge = "{\"scopes\":[\"" + "r".repeat(ApiKeyRoutes.MAX_BODY_BYTES) + "\"]}";

        HttpResponse<String> declared = post(huge);
        HttpResponse<String> streamed = server.send(server.request("/v1/api-keys")
                .header("Authorization", "Bearer user.token")
                .POST(HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofString(huge)))
                .build());

        assertThat(declared.statusCode()).isEqualTo(400);
        assertThat(declared.body()).contains("\"error\":\"invalid_request\"");
        assertThat(streamed.statusCode()).isEqualTo(400);
        assertThat(store.rows()).isEmpty();
    }

    /**
     * A read-only directory that knows alice and bob of every tenant and no external identities;
     * the API key routes only ever ask {@link #find}, and a write would be a bug worth failing on.
     */
    private static final class OneUserDirectory implements UserDirectory {
        @Override
        public Optional<User> find(TenantId tenant, UserId user) {
            return Set.of("alice", "bob").contains(user.value())
                    ? Optional.of(new User(tenant, user, null, false, Set.of()))
                    : Optional.empty();
        }

        @Override
        public Optional<User> findByIdentity(ExternalIdentity identity) {
            return Optional.empty();
        }

        @Override
        public List<User> findByVerifiedEmail(TenantId tenant, String email) {
            return List.of();
        }

        @Override
        public User bind(ExternalIdentity identity, UserId user) {
            throw new IllegalStateException("the API key routes must not write identities");
        }

        @Override
        public User provision(User user, ExternalIdentity identity) {
            throw new IllegalStateException("the API key routes must not write identities");
        }

        @Override
        public boolean updateGroups(TenantId tenant, UserId user, Set<String> groups) {
            throw new IllegalStateException("the API key routes must not write identities");
        }
    }
}
