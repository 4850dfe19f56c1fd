package dev.latchkey.core.identity;

import static org.assertj.core.api.Assertions.assertThat;

import dev.latchkey.core.identity.IdentityPolicy.Provisioning;
import dev.latchkey.core.tenant.TenantId;
import dev.latchkey.core.testing.TestClock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class IdentityResolverTest {
    private static final TenantId ACME = TenantId.of("acme");
    private static final TenantId GLOBEX = TenantId.of("globex");
    private static final String IDP = "https://idp.test/realms/acme";
    private static final String OTHER_IDP = "https://other-idp.test";

    private final InMemoryUserDirectory directory = new InMemoryUserDirectory();
    private final RecordingAuditLog audit = new RecordingAuditLog();
    private final Map<TenantId, IdentityPolicy> policies = new HashMap<>();
    private final IdentityResolver resolver = new IdentityResolver(
            directory, tenant -> java.util.Optional.ofNullable(policies.get(tenant)), audit, new TestClock());

    @Test
    void resolve_unknownTenant_isUnknownTenant() {
        assertThat(resolver.resolve(token(ACME, IDP, "alice", Map.of())))
                .isEqualTo(new Resolution.Unknown("unknown_tenant"));
    }

    @Test
    void resolve_boundIdentity_returnsBoundUserWithTokenScopes() {
        policies.put(ACME, IdentityPolicy.defaults());
        User alice = directory.add(user(ACME, "u-alice", "alice@corp.test", true));
        directory.bind(new ExternalIdentity(ACME, IDP, "sub-alice"), alice.id());

        Principal principal =
                resolved(resolver.resolve(new TokenIdentity(ACME, IDP, "sub-alice", Map.of(), Set.of("tokens:read"))));

        assertThat(principal)
                .isEqualTo(new Principal(
                        ACME, alice.id(), Principal.Kind.USER, "alice@corp.test", Set.of(), Set.of("tokens:read")));
        assertThat(audit.events()).isEmpty();
    }

    @Test
    void resolve_jitOffUnknownIdentity_refusedAndNothingStored() {
        policies.put(ACME, IdentityPolicy.defaults());

        assertThat(resolver.resolve(token(ACME, IDP, "new", Map.of("email", "new@corp.test", "email_verified", true))))
                .isEqualTo(new Resolution.Unknown("user_not_provisioned"));
        assertThat(directory.userCount()).isZero();
        assertThat(directory.bindingCount()).isZero();
    }

    @Test
    void resolve_jitOn_createsOneUserOnceAndAuditsOnce() {
        policies.put(ACME, IdentityPolicy.defaults().withProvisioning(Provisioning.JIT));
        TokenIdentity token = token(ACME, IDP, "new", Map.of("email", "New@Corp.test", "email_verified", true));

        Principal first = resolved(resolver.resolve(token));
        Principal second = resolved(resolver.resolve(token));

        assertThat(second.user()).isEqualTo(first.user());
        assertThat(first.email()).isEqualTo("new@corp.test");
        assertThat(directory.find(ACME, first.user()).orElseThrow().emailVerified())
                .isTrue();
        assertThat(directory.userCount()).isEqualTo(1);
        assertThat(audit.actions()).containsExactly("identity.provisioned:jit");
        assertThat(audit.events().getFirst().actor()).isEqualTo("user:" + first.user());
    }

    @Test
    void resolve_jitOn50ConcurrentFirstRequests_oneUserAllSucceedOneAudit() throws Exception {
        policies.put(ACME, IdentityPolicy.defaults().withProvisioning(Provisioning.JIT));
        TokenIdentity token = token(ACME, IDP, "racer", Map.of());
        int threads = 50;
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Resolution>> results = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            for (int i = 0; i < threads; i++) {
                results.add(pool.submit(() -> {
                    start.await();
                    return resolver.resolve(token);
                }));
            }
            start.countDown();
            Set<UserId> users = new java.util.HashSet<>();
            for (Future<Resolution> result : results) {
                users.add(resolved(result.get()).user());
            }
            assertThat(users).hasSize(1);
        }
        assertThat(directory.userCount()).isEqualTo(1);
        assertThat(audit.actions()).containsExactly("identity.provisioned:jit");
    }

    @Test
    void resolve_sameSubjectFromTwoIssuersAndTwoTenants_staysThreeUsers() {
        IdentityPolicy jit = IdentityPolicy.defaults().withProvisioning(Provisioning.JIT);
        policies.put(ACME, jit);
        policies.put(GLOBEX, jit);

        UserId acmeIdp =
                resolved(resolver.resolve(token(ACME, IDP, "12345", Map.of()))).user();
        UserId acmeOther = resolved(resolver.resolve(token(ACME, OTHER_IDP, "12345", Map.of())))
                .user();
        Principal globex = resolved(resolver.resolve(token(GLOBEX, IDP, "12345", Map.of())));

        assertThat(Set.of(acmeIdp, acmeOther, globex.user())).hasSize(3);
        assertThat(globex.tenant()).isEqualTo(GLOBEX);
        assertThat(directory.find(GLOBEX, acmeIdp)).isEmpty();
    }

    @Test
    void resolve_verifiedEmailOfOneUser_linksOnceAndAudits() {
        policies.put(ACME, IdentityPolicy.defaults().withEmailLinking(Set.of()));
        User alice = directory.add(user(ACME, "u-alice", "alice@corp.test", true));
        TokenIdentity token =
                token(ACME, OTHER_IDP, "new-sub", Map.of("email", "ALICE@corp.test", "email_verified", true));

        Principal first = resolved(resolver.resolve(token));
        Principal second = resolved(resolver.resolve(token));

        assertThat(first.user()).isEqualTo(alice.id());
        assertThat(second.user()).isEqualTo(alice.id());
        assertThat(directory.bindingCount()).isEqualTo(1);
        assertThat(audit.actions()).containsExactly("identity.linked:verified_email");
        assertThat(audit.events().getFirst().details()).containsEntry("issuer", OTHER_IDP);
    }

    @Test
    void resolve_verifiedEmailOfTwoUsers_conflictAndNoBinding() {
        policies.put(ACME, IdentityPolicy.defaults().withEmailLinking(Set.of()).withProvisioning(Provisioning.JIT));
        directory.add(user(ACME, "u-alice-1", "alice@corp.test", true));
        directory.add(user(ACME, "u-alice-2", "alice@corp.test", true));

        Resolution resolution = resolver.resolve(
                token(ACME, IDP, "new-sub", Map.of("email", "alice@corp.test", "email_verified", true)));

        assertThat(resolution).isEqualTo(new Resolution.Conflict("ambiguous_email"));
        assertThat(directory.bindingCount()).isZero();
        assertThat(directory.userCount()).isEqualTo(2);
        assertThat(audit.actions()).containsExactly("identity.link_refused:ambiguous_email");
    }

    /** C2-02: only the JSON boolean true counts as proof. */
    static Stream<Arguments> weakEmailProofs() {
        return Stream.of(
                Arguments.of(Map.of("email", "alice@corp.test", "email_verified", false)),
                Arguments.of(Map.of("email", "alice@corp.test")),
                Arguments.of(Map.of("email", "alice@corp.test", "email_verified", "true")),
                Arguments.of(Map.of("email", "alice@corp.test", "email_verified", 1)));
    }

    @ParameterizedTest
    @MethodSource("weakEmailProofs")
    void resolve_weakEmailProofJitOff_noLinkRefusedAndAudited(Map<String, Object> claims) {
        policies.put(ACME, IdentityPolicy.defaults().withEmailLinking(Set.of()));
        directory.add(user(ACME, "u-alice", "alice@corp.test", true));

        assertThat(resolver.resolve(token(ACME, IDP, "attacker", claims)))
                .isEqualTo(new Resolution.Unknown("user_not_provisioned"));
        assertThat(directory.bindingCount()).isZero();
        assertThat(audit.actions()).containsExactly("identity.link_refused:email_not_verified");
    }

    @ParameterizedTest
    @MethodSource("weakEmailProofs")
    void resolve_weakEmailProofJitOn_separateUnverifiedUser(Map<String, Object> claims) {
        policies.put(ACME, IdentityPolicy.defaults().withEmailLinking(Set.of()).withProvisioning(Provisioning.JIT));
        User alice = directory.add(user(ACME, "u-alice", "alice@corp.test", true));

        Principal principal = resolved(resolver.resolve(token(ACME, IDP, "attacker", claims)));

        assertThat(principal.user()).isNotEqualTo(alice.id());
        assertThat(directory.find(ACME, principal.user()).orElseThrow().emailVerified())
                .isFalse();
        assertThat(directory.findByVerifiedEmail(ACME, "alice@corp.test")).containsExactly(alice);
    }

    @Test
    void resolve_verifiedEmailFromIssuerNotTrustedForEmail_noLink() {
        policies.put(ACME, IdentityPolicy.defaults().withEmailLinking(Set.of(IDP)));
        directory.add(user(ACME, "u-alice", "alice@corp.test", true));

        assertThat(resolver.resolve(
                        token(ACME, OTHER_IDP, "x", Map.of("email", "alice@corp.test", "email_verified", true))))
                .isEqualTo(new Resolution.Unknown("user_not_provisioned"));
        assertThat(directory.bindingCount()).isZero();
    }

    @Test
    void resolve_emailLinkingOff_noLink() {
        policies.put(ACME, IdentityPolicy.defaults());
        directory.add(user(ACME, "u-alice", "alice@corp.test", true));

        assertThat(resolver.resolve(token(ACME, IDP, "x", Map.of("email", "alice@corp.test", "email_verified", true))))
                .isEqualTo(new Resolution.Unknown("user_not_provisioned"));
        assertThat(directory.bindingCount()).isZero();
    }

    @Test
    void resolve_existingUsersEmailUnverified_noLinkEvenForVerifiedToken() {
        policies.put(ACME, IdentityPolicy.defaults().withEmailLinking(Set.of()));
        directory.add(user(ACME, "u-alice", "alice@corp.test", false));

        assertThat(resolver.resolve(token(ACME, IDP, "x", Map.of("email", "alice@corp.test", "email_verified", true))))
                .isEqualTo(new Resolution.Unknown("user_not_provisioned"));
    }

    @Test
    void resolve_verifiedEmailOfUserInOtherTenant_noLink() {
        policies.put(ACME, IdentityPolicy.defaults().withEmailLinking(Set.of()));
        directory.add(user(GLOBEX, "u-alice", "alice@corp.test", true));

        assertThat(resolver.resolve(token(ACME, IDP, "x", Map.of("email", "alice@corp.test", "email_verified", true))))
                .isEqualTo(new Resolution.Unknown("user_not_provisioned"));
    }

    @Test
    void resolve_groupsClaimPresent_replacesStoredGroupsDroppingInvalidValues() {
        policies.put(ACME, IdentityPolicy.defaults().withGroupsClaim("groups"));
        bindAlice(Set.of("old"));

        Principal principal = resolved(resolver.resolve(token(
                ACME,
                IDP,
                "sub-alice",
                Map.of("groups", List.of("eng", "ops", 7, "", "bad\u0000group", "x".repeat(257))))));

        assertThat(principal.groups()).containsExactlyInAnyOrder("eng", "ops");
        assertThat(directory.find(ACME, UserId.of("u-alice")).orElseThrow().groups())
                .containsExactlyInAnyOrder("eng", "ops");
    }

    @Test
    void resolve_groupsClaimSingleString_isOneGroup() {
        policies.put(ACME, IdentityPolicy.defaults().withGroupsClaim("groups"));
        bindAlice(Set.of());

        assertThat(resolved(resolver.resolve(token(ACME, IDP, "sub-alice", Map.of("groups", "eng"))))
                        .groups())
                .containsExactly("eng");
    }

    @Test
    void resolve_nestedKeycloakRoles_synced() {
        policies.put(ACME, IdentityPolicy.defaults().withGroupsClaim("realm_access.roles"));
        bindAlice(Set.of());

        Principal principal = resolved(resolver.resolve(token(
                ACME, IDP, "sub-alice", Map.of("realm_access", Map.of("roles", List.of("offline_access", "editor"))))));

        assertThat(principal.groups()).containsExactlyInAnyOrder("offline_access", "editor");
    }

    @Test
    void resolve_groupsClaimAbsent_keepsStoredGroups() {
        policies.put(ACME, IdentityPolicy.defaults().withGroupsClaim("groups"));
        bindAlice(Set.of("eng"));

        assertThat(resolved(resolver.resolve(token(ACME, IDP, "sub-alice", Map.of())))
                        .groups())
                .containsExactly("eng");
    }

    @Test
    void resolve_noGroupsClaimConfigured_ignoresTokenGroups() {
        policies.put(ACME, IdentityPolicy.defaults());
        bindAlice(Set.of("eng"));

        assertThat(resolved(resolver.resolve(token(ACME, IDP, "sub-alice", Map.of("groups", List.of("admins")))))
                        .groups())
                .containsExactly("eng");
    }

    /** C2-07: a group called admin is data; it never grants a scope. */
    @Test
    void resolve_adminLikeGroupsAndRoles_grantNoScopes() {
        policies.put(ACME, IdentityPolicy.defaults().withGroupsClaim("groups"));
        bindAlice(Set.of());

        Principal principal = resolved(resolver.resolve(new TokenIdentity(
                ACME,
                IDP,
                "sub-alice",
                Map.of("groups", List.of("latchkey-admins"), "roles", List.of("admin")),
                Set.of("openid"))));

        assertThat(principal.scopes()).containsExactly("openid");
        assertThat(principal.kind()).isEqualTo(Principal.Kind.USER);
    }

    @Test
    void resolve_entraGroupsOverage_asksDirectory() {
        AtomicInteger calls = new AtomicInteger();
        GroupDirectory graph = identity -> {
            calls.incrementAndGet();
            return new GroupLookup.Found(Set.of("g-1", "g-2"));
        };
        policies.put(ACME, IdentityPolicy.defaults().withGroupsClaim("groups").withGroupOverage(graph));
        bindAlice(Set.of());

        Principal principal = resolved(resolver.resolve(token(ACME, IDP, "sub-alice", overageClaims())));

        assertThat(principal.groups()).containsExactlyInAnyOrder("g-1", "g-2");
        assertThat(calls).hasValue(1);
    }

    @Test
    void resolve_groupsPresentAlongsideDirectory_directoryNotAsked() {
        AtomicInteger calls = new AtomicInteger();
        GroupDirectory graph = identity -> {
            calls.incrementAndGet();
            return new GroupLookup.Found(Set.of("g-1"));
        };
        policies.put(ACME, IdentityPolicy.defaults().withGroupsClaim("groups").withGroupOverage(graph));
        bindAlice(Set.of());

        resolver.resolve(token(ACME, IDP, "sub-alice", Map.of("groups", List.of("eng"))));

        assertThat(calls).hasValue(0);
    }

    @Test
    void resolve_overageDirectoryFails_keepsStoredGroupsAndAudits() {
        policies.put(
                ACME,
                IdentityPolicy.defaults()
                        .withGroupsClaim("groups")
                        .withGroupOverage(identity -> new GroupLookup.Failed("directory_unavailable")));
        bindAlice(Set.of("eng"));

        Principal principal = resolved(resolver.resolve(token(ACME, IDP, "sub-alice", overageClaims())));

        assertThat(principal.groups()).containsExactly("eng");
        assertThat(audit.actions()).containsExactly("identity.groups_sync_failed:directory_unavailable");
    }

    @Test
    void resolve_clientCredentialsOfService_isServiceWithIntersectedScopes() {
        policies.put(ACME, IdentityPolicy.defaults().withServices(List.of(chatBackend())));

        Principal principal = resolved(resolver.resolve(new TokenIdentity(
                ACME, IDP, "chat-backend", Map.of("azp", "chat-backend"), Set.of("tokens:read", "profile"))));

        assertThat(principal)
                .isEqualTo(new Principal(
                        ACME, UserId.of("svc-chat"), Principal.Kind.SERVICE, null, Set.of(), Set.of("tokens:read")));
        assertThat(directory.userCount()).isZero();
    }

    @Test
    void resolve_entraAppTokenWithRolesAndConfiguredSubject_isService() {
        ServicePolicy entra = new ServicePolicy(
                UserId.of("svc-agent"),
                "6f1c0a52-0000-4000-8000-000000000001",
                "7a2b0c11-0000-4000-8000-000000000002",
                Set.of("tokens:read", "proxy"));
        policies.put(ACME, IdentityPolicy.defaults().withServices(List.of(entra)));

        Principal principal = resolved(resolver.resolve(new TokenIdentity(
                ACME,
                IDP,
                "7a2b0c11-0000-4000-8000-000000000002",
                Map.of("azp", "6f1c0a52-0000-4000-8000-000000000001", "roles", List.of("proxy")),
                Set.of())));

        assertThat(principal.kind()).isEqualTo(Principal.Kind.SERVICE);
        assertThat(principal.scopes()).containsExactly("proxy");
    }

    @Test
    void resolve_clientIdClaim_isService() {
        policies.put(ACME, IdentityPolicy.defaults().withServices(List.of(chatBackend())));

        Principal principal = resolved(resolver.resolve(
                new TokenIdentity(ACME, IDP, "chat-backend", Map.of("client_id", "chat-backend"), Set.of("proxy"))));

        assertThat(principal.user()).isEqualTo(UserId.of("svc-chat"));
        assertThat(principal.scopes()).containsExactly("proxy");
    }

    @Test
    void resolve_userTokenIssuedToServiceClient_isNotService() {
        policies.put(ACME, IdentityPolicy.defaults().withServices(List.of(chatBackend())));

        assertThat(resolver.resolve(
                        new TokenIdentity(ACME, IDP, "mallory", Map.of("azp", "chat-backend"), Set.of("tokens:read"))))
                .isEqualTo(new Resolution.Unknown("user_not_provisioned"));
    }

    @Test
    void resolve_serviceTokenInAnotherTenant_isNotService() {
        policies.put(ACME, IdentityPolicy.defaults().withServices(List.of(chatBackend())));
        policies.put(GLOBEX, IdentityPolicy.defaults());

        assertThat(resolver.resolve(new TokenIdentity(
                        GLOBEX, IDP, "chat-backend", Map.of("azp", "chat-backend"), Set.of("tokens:read"))))
                .isEqualTo(new Resolution.Unknown("user_not_provisioned"));
    }

    @Test
    void actFor_userOfServicesTenant_resolvesUserWithServiceScopes() {
        policies.put(ACME, IdentityPolicy.defaults().withServices(List.of(chatBackend())));
        User alice = directory.add(user(ACME, "u-alice", "alice@corp.test", true));
        Principal service = resolved(resolver.resolve(
                new TokenIdentity(ACME, IDP, "chat-backend", Map.of("azp", "chat-backend"), Set.of("tokens:read"))));

        Principal acting = resolved(resolver.actFor(service, alice.id()));

        assertThat(acting)
                .isEqualTo(new Principal(
                        ACME, alice.id(), Principal.Kind.SERVICE, "alice@corp.test", Set.of(), Set.of("tokens:read")));
    }

    @Test
    void actFor_userOnlyInOtherTenant_unknownUser() {
        policies.put(ACME, IdentityPolicy.defaults().withServices(List.of(chatBackend())));
        directory.add(user(GLOBEX, "u-bob", "bob@globex.test", true));
        Principal service = resolved(resolver.resolve(
                new TokenIdentity(ACME, IDP, "chat-backend", Map.of("azp", "chat-backend"), Set.of("tokens:read"))));

        assertThat(resolver.actFor(service, UserId.of("u-bob"))).isEqualTo(new Resolution.Unknown("unknown_user"));
    }

    @Test
    void actFor_userPrincipalOrRemovedService_notAService() {
        policies.put(ACME, IdentityPolicy.defaults());
        User alice = directory.add(user(ACME, "u-alice", "alice@corp.test", true));
        Principal user = new Principal(ACME, alice.id(), Principal.Kind.USER, null, Set.of(), Set.of("tokens:read"));
        Principal removedService =
                new Principal(ACME, UserId.of("svc-chat"), Principal.Kind.SERVICE, null, Set.of(), Set.of());

        assertThat(resolver.actFor(user, alice.id())).isEqualTo(new Resolution.Unknown("not_a_service"));
        assertThat(resolver.actFor(removedService, alice.id())).isEqualTo(new Resolution.Unknown("not_a_service"));
    }

    @Test
    void audit_neverContainsClaimValues() {
        policies.put(ACME, IdentityPolicy.defaults().withEmailLinking(Set.of()).withProvisioning(Provisioning.JIT));
        directory.add(user(ACME, "u-alice", "alice@corp.test", true));

        resolver.resolve(token(ACME, IDP, "s1", Map.of("email", "alice@corp.test", "email_verified", true)));
        resolver.resolve(token(ACME, IDP, "s2", Map.of("email", "alice@corp.test", "email_verified", "true")));

        assertThat(audit.events())
                .hasSize(3)
                .allSatisfy(event -> assertThat(event.toString()).doesNotContain("alice@corp.test"));
    }

    private void bindAlice(Set<String> groups) {
        User alice = directory.add(new User(ACME, UserId.of("u-alice"), "alice@corp.test", true, groups));
        directory.bind(new ExternalIdentity(ACME, IDP, "sub-alice"), alice.id());
    }

    private static Map<String, Object> overageClaims() {
        return Map.of(
                "oid", "00000000-0000-0000-0000-0000000000aa",
                "_claim_names", Map.of("groups", "src1"),
                "_claim_sources", Map.of("src1", Map.of("endpoint", "https://evil.test/steal")));
    }

    private static ServicePolicy chatBackend() {
        return ServicePolicy.of("svc-chat", "chat-backend", Set.of("tokens:read", "proxy"));
    }

    static TokenIdentity token(TenantId tenant, String issuer, String subject, Map<String, Object> claims) {
        return new TokenIdentity(tenant, issuer, subject, claims, Set.of());
    }

    static User user(TenantId tenant, String id, String email, boolean verified) {
        return new User(tenant, UserId.of(id), email, verified, Set.of());
    }

    static Principal resolved(Resolution resolution) {
        assertThat(resolution).isInstanceOf(Resolution.Resolved.class);
        return ((Resolution.Resolved) resolution).principal();
    }
}
