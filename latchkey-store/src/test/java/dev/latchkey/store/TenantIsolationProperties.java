package dev.latchkey.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.latchkey.core.crypto.Keyset;
import dev.latchkey.core.crypto.TinkCipher;
import dev.latchkey.core.downstream.PendingFlow;
import dev.latchkey.core.grant.Ciphertext;
import dev.latchkey.core.grant.EncryptedTokenStore;
import dev.latchkey.core.grant.GrantKey;
import dev.latchkey.core.grant.GrantLookup;
import dev.latchkey.core.grant.TokenSet;
import dev.latchkey.core.identity.UserId;
import dev.latchkey.core.secret.Secret;
import dev.latchkey.core.session.FamilyId;
import dev.latchkey.core.session.RefreshFamily;
import dev.latchkey.core.session.RefreshTokenStore;
import dev.latchkey.core.session.SessionCode;
import dev.latchkey.core.session.SessionCodeStore.Redemption;
import dev.latchkey.core.tenant.TenantId;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.lifecycle.BeforeTry;
import org.jspecify.annotations.Nullable;

/**
 * Two tenants with the same user id and resource name never see each other's tokens, leases or
 * connect flows, whatever the interleaving of writes, refresh-style compare-and-sets, deletes,
 * lease acquisitions and releases, and flow starts and callbacks across them; nor each other's
 * refresh-token families and one-time session codes, whatever the interleaving of exchanges,
 * rotations, revocations, code issues and redemptions (the real JDBC adapters on H2, checked
 * against a model after every step).
 */
class TenantIsolationProperties {
    private static final List<String> TENANTS = List.of("acme", "globex");
    private static final String USER = "alice";
    private static final String RESOURCE = "github";
    private static final Duration LEASE = Duration.ofMinutes(5);
    private static final Instant LATER = Instant.parse("2999-01-01T00:00:00Z");

    @SuppressWarnings("NullAway.Init")
    private static TestDatabase database;

    @SuppressWarnings("NullAway.Init")
    private static EncryptedTokenStore tokens;

    @SuppressWarnings("NullAway.Init")
    private static JdbcGrantLease leases;

    @SuppressWarnings("NullAway.Init")
    private static JdbcConnectFlowStore flows;

    @SuppressWarnings("NullAway.Init")
    private static JdbcRefreshTokenStore families;

    @SuppressWarnings("NullAway.Init")
    private static JdbcSessionCodeStore codes;

    @BeforeContainer
    static void open() throws Exception {
        database = TestDatabase.h2();
        tokens = new EncryptedTokenStore(
                new JdbcSealedTokenStore(database.dataSource()),
                TinkCipher.of(Keyset.generate()),
                EncryptedTokenStore.Listener.NONE);
        leases = new JdbcGrantLease(database.dataSource());
        flows = new JdbcConnectFlowStore(database.dataSource());
        families = new JdbcRefreshTokenStore(database.dataSource());
        codes = new JdbcSessionCodeStore(database.dataSource());
    }

    @AfterContainer
    static void close() {
        database.close();
    }

    @BeforeTry
    void clear() {
        database.update("DELETE FROM token_sets");
        database.update("DELETE FROM connect_flows");
        database.update("DELETE FROM refresh_tokens");
        database.update("DELETE FROM refresh_families");
        database.update("DELETE FROM session_codes");
    }

    /** One step of one tenant. */
    enum Kind {
        WRITE,
        DELETE,
        ACQUIRE,
        RELEASE,
        START_FLOW,
        CALLBACK_OWN,
        CALLBACK_OTHER
    }

    record Step(Kind kind, int tenant, int value) {}

    @Provide
    Arbitrary<List<Step>> interleavings() {
        Arbitrary<Step> step = Combinators.combine(
                        Arbitraries.of(Kind.class),
                        Arbitraries.integers().between(0, 1),
                        Arbitraries.integers().between(0, 999))
                .as(Step::new);
        return step.list().ofMinSize(1).ofMaxSize(40);
    }

    @Property(tries = 60)
    void tenants_neverSeeEachOthersTokensLeasesOrFlows(@ForAll("interleavings") List<Step> steps) {
        Map<String, String> token = new HashMap<>();
        Map<String, Long> fence = new HashMap<>();
        Map<String, String> flowState = new HashMap<>();
        for (Step step : steps) {
            String tenant = TENANTS.get(step.tenant());
            String other = TENANTS.get(1 - step.tenant());
            GrantKey key = GrantKey.of(tenant, USER, RESOURCE);
            switch (step.kind()) {
                case WRITE -> {
                    String value = tenant + "-at-" + step.value();
                    long version = tokens.find(key).version();
                    tokens.compareAndSet(key, version, tokens(value));
                    token.put(tenant, value);
                }
                case DELETE -> {
                    if (tokens.delete(key, tokens.find(key).version())) {
                        token.remove(tenant);
                        fence.remove(tenant);
                    }
                }
                case ACQUIRE -> {
                    OptionalLong acquired = leases.tryAcquire(key, "owner-" + tenant, LEASE);
                    // A lease is taken exactly when this tenant's grant exists and is not leased,
                    // whatever the other tenant holds.
                    boolean expected = token.containsKey(tenant) && !fence.containsKey(tenant);
                    assertThat(acquired.isPresent()).as("acquire in %s", tenant).isEqualTo(expected);
                    acquired.ifPresent(f -> fence.put(tenant, f));
                }
                case RELEASE -> {
                    @Nullable Long held = fence.remove(tenant);
                    if (held != null) {
                        assertThat(leases.release(key, "owner-" + tenant, held)).isTrue();
                    }
                }
                case START_FLOW -> {
                    String state = tenant + ".state-" + step.value();
                    flows.put(new PendingFlow(
                            key.tenant(),
                            key.user(),
                            key.resource(),
                            Secret.sha256Hex(state),
                            Ciphertext.of(state.getBytes(StandardCharsets.UTF_8)),
                            LATER));
                    flowState.put(tenant, state);
                }
                case CALLBACK_OWN -> {
                    @Nullable String state = flowState.remove(tenant);
                    if (state != null) {
                        assertThat(flows.take(key.tenant(), Secret.sha256Hex(state)))
                                .hasValueSatisfying(
                                        flow -> assertThat(flow.tenant()).isEqualTo(key.tenant()));
                    }
                }
                case CALLBACK_OTHER -> {
                    // The other tenant's state presented in this tenant finds nothing, and leaves it usable.
                    @Nullable String state = flowState.get(other);
                    if (state != null) {
                        assertThat(flows.take(key.tenant(), Secret.sha256Hex(state)))
                                .isEmpty();
                    }
                }
            }
            for (String each : TENANTS) {
                GrantLookup lookup = tokens.find(GrantKey.of(each, USER, RESOURCE));
                @Nullable String expected = token.get(each);
                if (expected == null) {
                    assertThat(lookup).as("grant of %s", each).isInstanceOf(GrantLookup.Missing.class);
                } else {
                    assertThat(lookup)
                            .isInstanceOfSatisfying(
                                    GrantLookup.Found.class,
                                    found -> assertThat(found.grant()
                                                    .tokens()
                                                    .accessToken()
                                                    .reveal())
                                            .as("token of %s", each)
                                            .isEqualTo(expected));
                }
            }
        }
    }

    /** One session step of one tenant. */
    enum SessionKind {
        EXCHANGE,
        ROTATE_OWN,
        ROTATE_OTHER,
        REVOKE_USER,
        ISSUE_CODE,
        REDEEM_OWN,
        REDEEM_OTHER
    }

    record SessionStep(SessionKind kind, int tenant) {}

    @Provide
    Arbitrary<List<SessionStep>> sessionInterleavings() {
        Arbitrary<SessionStep> step = Combinators.combine(
                        Arbitraries.of(SessionKind.class),
                        Arbitraries.integers().between(0, 1))
                .as(SessionStep::new);
        return step.list().ofMinSize(1).ofMaxSize(40);
    }

    /** What the model knows of one tenant's newest family and newest code. */
    static final class SessionModel {
        @Nullable
        String refreshToken;

        @Nullable
        FamilyId family;

        boolean live;
        int liveFamilies;

        @Nullable
        String code;

        @Nullable
        FamilyId redeemedBy;
    }

    @Property(tries = 60)
    void tenants_neverSeeEachOthersRefreshFamiliesOrSessionCodes(
            @ForAll("sessionInterleavings") List<SessionStep> steps) {
        // Indexed like TENANTS.
        List<SessionModel> model = List.of(new SessionModel(), new SessionModel());
        // Every token and code is new: spent tokens and used codes keep their rows.
        int serial = 0;
        for (SessionStep step : steps) {
            serial++;
            String tenantName = TENANTS.get(step.tenant());
            TenantId tenant = TenantId.of(tenantName);
            SessionModel own = model.get(step.tenant());
            SessionModel other = model.get(1 - step.tenant());
            switch (step.kind()) {
                case EXCHANGE -> {
                    String token = tenantName + ".rt-" + serial;
                    FamilyId family = FamilyId.random();
                    families.create(
                            RefreshFamily.create(tenant, family, UserId.of(USER), null, LATER),
                            Secret.sha256Hex(token));
                    own.refreshToken = token;
                    own.family = family;
                    own.live = true;
                    own.liveFamilies++;
                }
                case ROTATE_OWN -> {
                    @Nullable String token = own.refreshToken;
                    if (token != null) {
                        String next = tenantName + ".rt-" + serial;
                        boolean rotated = rotate(tenant, token, next);
                        assertThat(rotated).as("rotate in %s", tenantName).isEqualTo(own.live);
                        if (rotated) {
                            own.refreshToken = next;
                        }
                    }
                }
                case ROTATE_OTHER -> {
                    // The other tenant's token presented here rotates nothing; the per-step check
                    // below sees it still unspent in its own tenant.
                    @Nullable String token = other.refreshToken;
                    if (token != null) {
                        assertThat(rotate(tenant, token, tenantName + ".rt-" + serial))
                                .isFalse();
                    }
                }
                case REVOKE_USER -> {
                    assertThat(families.revokeUser(tenant, UserId.of(USER), "user_disabled", LATER))
                            .as("revoked in %s", tenantName)
                            .isEqualTo(own.liveFamilies);
                    own.liveFamilies = 0;
                    own.live = false;
                }
                case ISSUE_CODE -> {
                    String code = tenantName + ".code-" + serial;
                    codes.put(new SessionCode(
                            tenant, Secret.sha256Hex(code), UserId.of(USER), "https://panel.test", null, LATER, null));
                    own.code = code;
                    own.redeemedBy = null;
                }
                case REDEEM_OWN -> {
                    @Nullable String code = own.code;
                    if (code != null) {
                        FamilyId family = FamilyId.random();
                        Redemption redemption = codes.redeem(tenant, Secret.sha256Hex(code), family, LATER);
                        @Nullable FamilyId first = own.redeemedBy;
                        if (first == null) {
                            assertThat(redemption).isInstanceOfSatisfying(Redemption.Redeemed.class, redeemed -> {
                                assertThat(redeemed.code().tenant()).isEqualTo(tenant);
                                assertThat(redeemed.code().family()).isEqualTo(family);
                            });
                            own.redeemedBy = family;
                        } else {
                            assertThat(redemption)
                                    .isInstanceOfSatisfying(
                                            Redemption.Reused.class,
                                            reused -> assertThat(reused.code().family())
                                                    .isEqualTo(first));
                        }
                    }
                }
                case REDEEM_OTHER -> {
                    // The other tenant's code presented here is unknown, and stays as it was there.
                    @Nullable String code = other.code;
                    if (code != null) {
                        assertThat(codes.redeem(tenant, Secret.sha256Hex(code), FamilyId.random(), LATER))
                                .isEqualTo(new Redemption.Unknown());
                    }
                }
            }
            for (String each : TENANTS) {
                TenantId eachTenant = TenantId.of(each);
                TenantId otherTenant = TenantId.of(TENANTS.get(1 - TENANTS.indexOf(each)));
                SessionModel expected = model.get(TENANTS.indexOf(each));
                @Nullable String token = expected.refreshToken;
                if (token != null) {
                    Optional<RefreshTokenStore.Presented> found = families.find(eachTenant, Secret.sha256Hex(token));
                    assertThat(found).as("refresh token of %s", each).hasValueSatisfying(presented -> {
                        assertThat(presented.token().spent()).isFalse();
                        assertThat(presented.family().tenant()).isEqualTo(eachTenant);
                        assertThat(presented.family().id()).isEqualTo(expected.family);
                        assertThat(presented.family().revoked()).isEqualTo(!expected.live);
                    });
                    assertThat(families.find(otherTenant, Secret.sha256Hex(token)))
                            .isEmpty();
                }
            }
        }
    }

    private static boolean rotate(TenantId tenant, String token, String successor) {
        return families.rotate(
                tenant,
                Secret.sha256Hex(token),
                Secret.sha256Hex(successor),
                Ciphertext.of(successor.getBytes(StandardCharsets.UTF_8)),
                "client-" + tenant.value(),
                LATER);
    }

    private static TokenSet tokens(String accessToken) {
        return new TokenSet(Secret.of(accessToken), Secret.of("rt-" + accessToken), "Bearer", Set.of(), LATER);
    }
}
