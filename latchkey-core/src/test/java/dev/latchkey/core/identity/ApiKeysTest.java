package dev.latchkey.core.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.latchkey.core.identity.ApiKeyAuthentication.Reason;
import dev.latchkey.core.secret.Secret;
import dev.latchkey.core.tenant.TenantId;
import dev.latchkey.core.testing.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ApiKeysTest {
    private static final TenantId ACME = TenantId.of("acme");
    private static final TenantId GLOBEX = TenantId.of("globex");
    private static final Secret PEPPER = Secret.of("pepper-for-tests-0123456789abcdef0123456789");
    private static final UserId ALICE = UserId.of("u-alice");
    private static final ServicePolicy CHAT =
            ServicePolicy.of("svc-chat", "chat-backend", Set.of("tokens:read", "proxy"));

    private static final IdentityPolicy ACME_POLICY =
            IdentityPolicy.defaults().withApiKeys(true).withServices(List.of(CHAT));

    private final InMemoryApiKeyStore store = new InMemoryApiKeyStore();
    private final InMemoryUserDirectory directory = new InMemoryUserDirectory();
    private final RecordingAuditLog audit = new RecordingAuditLog();
    private final TestClock clock = new TestClock();
    private final Map<TenantId, IdentityPolicy> policies = new HashMap<>();
    private final ApiKeys apiKeys =
            new ApiKeys(store, directory, tenant -> Optional.ofNullable(policies.get(tenant)), PEPPER, audit, clock);

    @BeforeEach
    void tenants() {
        policies.put(ACME, ACME_POLICY);
        policies.put(GLOBEX, IdentityPolicy.defaults().withApiKeys(true));
        directory.add(new User(ACME, ALICE, "alice@corp.test", true, Set.of("eng")));
        directory.add(new User(GLOBEX, ALICE, "alice@globex.test", true, Set.of()));
    }

    @Test
    void create_returnsPrefixedKeyOnceAndStoresOnlyItsHash() {
        ApiKeyCreation.Created created = created(apiKeys.create(ACME, ALICE, Set.of("tokens:read")));
        String plaintext = created.plaintext().reveal();

        assertThat(plaintext).matches("lk_[0-9A-Za-z]{16}_[0-9A-Za-z]{43}");
        assertThat(plaintext).startsWith("lk_" + created.key().id().value() + "_");
        StoredApiKey stored = store.all().getFirst();
        String secretPart = plaintext.substring(plaintext.lastIndexOf('_') + 1);
        assertThat(stored.hash()).hasSize(64).doesNotContain(secretPart);
        assertThat(stored.toString()).doesNotContain(secretPart).doesNotContain(stored.hash());
        assertThat(apiKeys.list(ACME, ALICE)).containsExactly(created.key());
        assertThat(apiKeys.list(ACME, ALICE).toString()).doesNotContain(secretPart);
        assertThat(audit.actions()).containsExactly("api_key.created:created");
        assertThat(audit.events().toString()).doesNotContain(secretPart);
    }

    @Test
    void create_twice_distinctIdsAndSecrets() {
        Secret first = created(apiKeys.create(ACME, ALICE, Set.of())).plaintext();
        Secret second = created(apiKeys.create(ACME, ALICE, Set.of())).plaintext();

        assertThat(first).isNotEqualTo(second);
        assertThat(first.reveal().substring(3, 19)).isNotEqualTo(second.reveal().substring(3, 19));
    }

    @Test
    void created_toString_neverShowsThePlaintext() {
        ApiKeyCreation.Created created = created(apiKeys.create(ACME, ALICE, Set.of("tokens:read")));

        assertThat(created.toString()).doesNotContain(created.plaintext().reveal());
        assertThat(created.plaintext().toString())
                .doesNotContain(created.plaintext().reveal());
    }

    @Test
    void authenticate_validKey_apiKeyPrincipalWithKeyScopes() {
        Secret key = created(apiKeys.create(ACME, ALICE, Set.of("tokens:read"))).plaintext();

        assertThat(apiKeys.authenticate(ACME, key))
                .isEqualTo(new ApiKeyAuthentication.Authenticated(new Principal(
                        ACME, ALICE, Principal.Kind.API_KEY, "alice@corp.test", Set.of("eng"), Set.of("tokens:read"))));
        assertThat(store.all().getFirst().key().lastUsedAt()).isEqualTo(clock.instant());
    }

    @Test
    void authenticate_wrongSecretSharingTheId_unknown() {
        String key = created(apiKeys.create(ACME, ALICE, Set.of())).plaintext().reveal();
        char last = key.charAt(key.length() - 1);
        String forged = key.substring(0, key.length() - 1) + (last == 'a' ? 'b' : 'a');

        assertThat(apiKeys.authenticate(ACME, Secret.of(forged)))
                .isEqualTo(new ApiKeyAuthentication.Refused(Reason.UNKNOWN));
        assertThat(audit.actions()).contains("api_key.refused:unknown");
    }

    @Test
    void authenticate_keyOfAnotherTenant_unknownAndOnlyThatTenantLookedUp() {
        Secret acmeKey =
                created(apiKeys.create(ACME, ALICE, Set.of("tokens:read"))).plaintext();

        assertThat(apiKeys.authenticate(GLOBEX, acmeKey)).isEqualTo(new ApiKeyAuthentication.Refused(Reason.UNKNOWN));
        assertThat(audit.events().getLast().tenant()).isEqualTo(GLOBEX);
    }

    @Test
    void authenticate_hashTransplantedToAnotherTenant_unknown() {
        Secret acmeKey =
                created(apiKeys.create(ACME, ALICE, Set.of("tokens:read"))).plaintext();
        StoredApiKey stored = store.all().getFirst();
        ApiKey original = stored.key();
        store.insert(new StoredApiKey(
                new ApiKey(GLOBEX, original.id(), ALICE, Set.of("tokens:read"), null, null, original.createdAt(), null),
                stored.hash()));

        assertThat(apiKeys.authenticate(GLOBEX, acmeKey)).isEqualTo(new ApiKeyAuthentication.Refused(Reason.UNKNOWN));
    }

    @Test
    void authenticate_revoked_refusedAndListedAsRevoked() {
        ApiKeyCreation.Created created = created(apiKeys.create(ACME, ALICE, Set.of()));

        assertThat(apiKeys.revoke(ACME, ALICE, created.key().id())).isTrue();
        assertThat(apiKeys.revoke(ACME, ALICE, created.key().id())).isFalse();

        assertThat(apiKeys.authenticate(ACME, created.plaintext()))
                .isEqualTo(new ApiKeyAuthentication.Refused(Reason.REVOKED));
        assertThat(apiKeys.list(ACME, ALICE).getFirst().revocation()).contains(clock.instant());
        assertThat(audit.actions()).contains("api_key.revoked:revoked", "api_key.refused:revoked");
    }

    @Test
    void revoke_byAnotherUser_refused() {
        ApiKeyCreation.Created created = created(apiKeys.create(ACME, ALICE, Set.of()));
        directory.add(new User(ACME, UserId.of("u-bob"), null, false, Set.of()));

        assertThat(apiKeys.revoke(ACME, UserId.of("u-bob"), created.key().id())).isFalse();
        assertThat(apiKeys.revoke(GLOBEX, ALICE, created.key().id())).isFalse();
        assertThat(apiKeys.authenticate(ACME, created.plaintext()))
                .isInstanceOf(ApiKeyAuthentication.Authenticated.class);
    }

    @Test
    void authenticate_atExpiry_refused() {
        Instant expiry = clock.instant().plus(Duration.ofHours(1));
        Secret key = created(apiKeys.create(ACME, ALICE, Set.of(), expiry)).plaintext();

        assertThat(apiKeys.authenticate(ACME, key)).isInstanceOf(ApiKeyAuthentication.Authenticated.class);
        clock.advance(Duration.ofHours(1));
        assertThat(apiKeys.authenticate(ACME, key)).isEqualTo(new ApiKeyAuthentication.Refused(Reason.EXPIRED));
    }

    @Test
    void create_expiryNotInFuture_refused() {
        assertThat(apiKeys.create(ACME, ALICE, Set.of(), clock.instant()))
                .isEqualTo(new ApiKeyCreation.Refused("invalid_expiry"));
        assertThat(store.all()).isEmpty();
    }

    @Test
    void tenantDisablesApiKeys_createRefusedExistingKeysStopWithoutLookupAndComeBack() {
        Secret key = created(apiKeys.create(ACME, ALICE, Set.of())).plaintext();
        policies.put(ACME, ACME_POLICY.withApiKeys(false));
        int lookups = store.lookups.get();

        assertThat(apiKeys.create(ACME, ALICE, Set.of())).isEqualTo(new ApiKeyCreation.Refused("api_keys_disabled"));
        assertThat(apiKeys.authenticate(ACME, key)).isEqualTo(new ApiKeyAuthentication.Refused(Reason.DISABLED));
        assertThat(Reason.DISABLED.code()).isEqualTo("api_keys_disabled");
        assertThat(store.lookups).hasValue(lookups);

        policies.put(ACME, ACME_POLICY);
        assertThat(apiKeys.authenticate(ACME, key)).isInstanceOf(ApiKeyAuthentication.Authenticated.class);
    }

    @Test
    void unknownTenant_disabled() {
        assertThat(apiKeys.create(TenantId.of("nobody"), ALICE, Set.of()))
                .isEqualTo(new ApiKeyCreation.Refused("api_keys_disabled"));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "lk_",
                "garbage",
                "lk_short_secret",
                "lk_AAAAAAAAAAAAAAAA_tooShortSecret",
                "lk_AAAAAAAAAAAAAAA!_0123456789012345678901234567890123456789012",
                "Bearer lk_AAAAAAAAAAAAAAAA_0123456789012345678901234567890123456789012",
                "lk_AAAAAAAAAAAAAAAA_0123456789012345678901234567890123456789012\n",
            })
    void authenticate_malformed_refusedWithoutLookup(String presented) {
        assertThat(apiKeys.authenticate(ACME, Secret.of(presented)))
                .isEqualTo(new ApiKeyAuthentication.Refused(Reason.MALFORMED));
        assertThat(store.lookups).hasValue(0);
    }

    @Test
    void authenticate_ownerDeleted_refused() {
        UserId bob = UserId.of("u-bob");
        directory.add(new User(GLOBEX, bob, null, false, Set.of()));
        Secret key = created(apiKeys.create(GLOBEX, bob, Set.of())).plaintext();
        InMemoryUserDirectory empty = new InMemoryUserDirectory();
        ApiKeys withoutBob =
                new ApiKeys(store, empty, tenant -> Optional.ofNullable(policies.get(tenant)), PEPPER, audit, clock);

        assertThat(withoutBob.authenticate(GLOBEX, key))
                .isEqualTo(new ApiKeyAuthentication.Refused(Reason.UNKNOWN_OWNER));
    }

    @Test
    void create_forUnknownUser_refused() {
        assertThat(apiKeys.create(ACME, UserId.of("ghost"), Set.of()))
                .isEqualTo(new ApiKeyCreation.Refused("unknown_user"));
    }

    @Test
    void create_invalidScope_refused() {
        assertThat(apiKeys.create(ACME, ALICE, Set.of("two words")))
                .isEqualTo(new ApiKeyCreation.Refused("invalid_scope"));
    }

    @Test
    void serviceKey_actsAsServiceWithinItsScopes() {
        Secret key =
                created(apiKeys.create(ACME, CHAT.id(), Set.of("tokens:read"))).plaintext();

        assertThat(apiKeys.authenticate(ACME, key))
                .isEqualTo(new ApiKeyAuthentication.Authenticated(
                        new Principal(ACME, CHAT.id(), Principal.Kind.SERVICE, null, Set.of(), Set.of("tokens:read"))));
        assertThat(apiKeys.create(ACME, CHAT.id(), Set.of("admin")))
                .isEqualTo(new ApiKeyCreation.Refused("scope_not_allowed"));
    }

    @Test
    void serviceKey_afterServiceScopeRemoved_losesThatScope() {
        Secret key = created(apiKeys.create(ACME, CHAT.id(), Set.of("tokens:read", "proxy")))
                .plaintext();
        policies.put(
                ACME, ACME_POLICY.withServices(List.of(ServicePolicy.of("svc-chat", "chat-backend", Set.of("proxy")))));

        assertThat(((ApiKeyAuthentication.Authenticated) apiKeys.authenticate(ACME, key))
                        .principal()
                        .scopes())
                .containsExactly("proxy");
    }

    @Test
    void constructor_shortPepper_refusedWithoutEchoingIt() {
        assertThatThrownBy(() -> new ApiKeys(
                        store, directory, tenant -> Optional.empty(), Secret.of("short-pepper"), audit, clock))
                .isInstanceOf(IllegalArgumentException.class)
                .message()
                .doesNotContain("short-pepper");
    }

    @Test
    void apiKeyId_invalidValue_messageDoesNotEchoIt() {
        assertThatThrownBy(() -> ApiKeyId.of("lk_secret_value"))
                .isInstanceOf(IllegalArgumentException.class)
                .message()
                .doesNotContain("lk_secret_value");
    }

    private static ApiKeyCreation.Created created(ApiKeyCreation creation) {
        assertThat(creation).isInstanceOf(ApiKeyCreation.Created.class);
        return (ApiKeyCreation.Created) creation;
    }
}
