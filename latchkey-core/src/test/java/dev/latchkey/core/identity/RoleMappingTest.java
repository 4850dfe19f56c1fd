package dev.latchkey.core.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.latchkey.core.identity.IdentityPolicy.Provisioning;
import dev.latchkey.core.secret.Secret;
import dev.latchkey.core.tenant.TenantId;
import dev.latchkey.core.testing.TestClock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Roles come only from a tenant's own, administrator-configured mapping of synced groups (C2-07):
 * no group name grants anything by itself, and one tenant's mapping never reaches another tenant.
 */
class RoleMappingTest {
    private static final TenantId ACME = TenantId.of("acme");
    private static final TenantId GLOBEX = TenantId.of("globex");
    private static final String IDP = "https://idp.test/shared";
    private static final Map<String, Object> ADMIN_CLAIMS =
            Map.of("groups", List.of("latchkey-admins", "eng"), "roles", List.of("admin"));

    private final InMemoryUserDirectory directory = new InMemoryUserDirectory();
    private final Map<TenantId, IdentityPolicy> policies = new HashMap<>();
    private final IdentityResolver resolver = new IdentityResolver(
            directory, tenant -> Optional.ofNullable(policies.get(tenant)), new RecordingAuditLog(), new TestClock());

    private static IdentityPolicy jitWithGroups() {
        return IdentityPolicy.defaults().withProvisioning(Provisioning.JIT).withGroupsClaim("groups");
    }

    private Principal resolve(TenantId tenant, String subject, Map<String, Object> claims) {
        Resolution resolution = resolver.resolve(new TokenIdentity(tenant, IDP, subject, claims, Set.of("openid")));
        assertThat(resolution).isInstanceOf(Resolution.Resolved.class);
        return ((Resolution.Resolved) resolution).principal();
    }

    @Test
    void adminLookingGroups_withoutMapping_grantNoRoles() {
        policies.put(ACME, jitWithGroups());

        Principal principal = resolve(ACME, "mallory", ADMIN_CLAIMS);

        assertThat(principal.groups()).contains("latchkey-admins");
        assertThat(principal.roles()).isEmpty();
    }

    @Test
    void mappingOfTenantA_grantsRolesInA_andNothingToTheSameIdentityInB() {
        policies.put(ACME, jitWithGroups().withRoleMapping(Map.of("latchkey-admins", List.of("admin", "auditor"))));
        policies.put(GLOBEX, jitWithGroups());

        Principal inAcme = resolve(ACME, "alice", ADMIN_CLAIMS);
        Principal inGlobex = resolve(GLOBEX, "alice", ADMIN_CLAIMS);

        assertThat(inAcme.roles()).containsExactlyInAnyOrder("admin", "auditor");
        assertThat(inGlobex.tenant()).isEqualTo(GLOBEX);
        assertThat(inGlobex.groups()).contains("latchkey-admins");
        assertThat(inGlobex.roles()).isEmpty();
    }

    @Test
    void roles_unionOfMappedGroups_unmappedAndDifferentlyCasedGroupsIgnored() {
        policies.put(
                ACME,
                jitWithGroups()
                        .withRoleMapping(Map.of(
                                "eng", List.of("developer"),
                                "ops", List.of("developer", "operator"),
                                "Latchkey-Admins", List.of("admin"))));

        Principal principal =
                resolve(ACME, "bob", Map.of("groups", List.of("eng", "ops", "latchkey-admins", "unmapped")));

        assertThat(principal.roles()).containsExactlyInAnyOrder("developer", "operator");
    }

    @Test
    void roles_followTheGroupsSyncedOnEachToken() {
        policies.put(ACME, jitWithGroups().withRoleMapping(Map.of("latchkey-admins", List.of("admin"))));
        assertThat(resolve(ACME, "carol", ADMIN_CLAIMS).roles()).containsExactly("admin");

        Principal demoted = resolve(ACME, "carol", Map.of("groups", List.of("eng")));

        assertThat(demoted.roles()).isEmpty();
    }

    @Test
    void nestedRolesClaim_keycloakRealmRoles_mapped() {
        policies.put(
                ACME,
                IdentityPolicy.defaults()
                        .withProvisioning(Provisioning.JIT)
                        .withGroupsClaim("realm_access.roles")
                        .withRoleMapping(Map.of("latchkey-admin", List.of("admin"))));

        Principal principal =
                resolve(ACME, "dave", Map.of("realm_access", Map.of("roles", List.of("latchkey-admin", "offline"))));

        assertThat(principal.roles()).containsExactly("admin");
    }

    @Test
    void serviceActingForAMappedUser_getsNoRoles() {
        ServicePolicy chat = ServicePolicy.of("svc-chat", "chat-backend", Set.of("tokens:read"));
        policies.put(
                ACME,
                jitWithGroups()
                        .withServices(List.of(chat))
                        .withRoleMapping(Map.of("latchkey-admins", List.of("admin"))));
        Principal admin = resolve(ACME, "erin", ADMIN_CLAIMS);
        assertThat(admin.roles()).containsExactly("admin");
        Principal service = IdentityResolver.servicePrincipal(ACME, chat, Set.of("tokens:read"));

        Resolution acting = resolver.actFor(service, admin.user());

        assertThat(acting).isInstanceOfSatisfying(Resolution.Resolved.class, resolved -> {
            assertThat(resolved.principal().user()).isEqualTo(admin.user());
            assertThat(resolved.principal().roles()).isEmpty();
        });
    }

    @Test
    void apiKeyOfAMappedUser_carriesOnlyItsScopes_noRoles() {
        policies.put(
                ACME, jitWithGroups().withApiKeys(true).withRoleMapping(Map.of("latchkey-admins", List.of("admin"))));
        Principal admin = resolve(ACME, "frank", ADMIN_CLAIMS);
        ApiKeys apiKeys = new ApiKeys(
                new InMemoryApiKeyStore(),
                directory,
                tenant -> Optional.ofNullable(policies.get(tenant)),
                Secret.of("pepper-for-tests-0123456789abcdef0123456789"),
                new RecordingAuditLog(),
                new TestClock());
        ApiKeyCreation created = apiKeys.create(ACME, admin.user(), Set.of("tokens:read"));
        Secret key = ((ApiKeyCreation.Created) created).plaintext();

        assertThat(apiKeys.authenticate(ACME, key))
                .isInstanceOfSatisfying(ApiKeyAuthentication.Authenticated.class, authenticated -> {
                    assertThat(authenticated.principal().groups()).contains("latchkey-admins");
                    assertThat(authenticated.principal().roles()).isEmpty();
                });
    }

    @Test
    void rolesFor_defaultsGrantNothing() {
        assertThat(IdentityPolicy.defaults().roleMapping()).isEmpty();
        assertThat(IdentityPolicy.defaults().rolesFor(Set.of("admin", "latchkey-admins", "root")))
                .isEmpty();
    }

    @Test
    void withRoleMapping_invalidEntries_refusedWithoutEchoingThem() {
        assertThatThrownBy(() -> IdentityPolicy.defaults().withRoleMapping(Map.of("admins", List.of("bad role!"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining("bad role!");
        assertThatThrownBy(() -> IdentityPolicy.defaults().withRoleMapping(Map.of("admins", List.of())))
                .hasMessageContaining("1 to 64 roles");
        assertThatThrownBy(() -> IdentityPolicy.defaults().withRoleMapping(Map.of("", List.of("admin"))))
                .hasMessageContaining("mapped group");
        assertThatThrownBy(() -> IdentityPolicy.defaults().withRoleMapping(Map.of("a\nb", List.of("admin"))))
                .hasMessageContaining("control characters");
    }
}
