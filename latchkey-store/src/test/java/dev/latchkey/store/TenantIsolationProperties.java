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
import dev.latchkey.core.secret.Secret;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
 * lease acquisitions and releases, and flow starts and callbacks across them (the real JDBC
 * adapters on H2, checked against a model after every step).
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

    @BeforeContainer
    static void open() throws Exception {
        database = TestDatabase.h2();
        tokens = new EncryptedTokenStore(
                new JdbcSealedTokenStore(database.dataSource()),
                TinkCipher.of(Keyset.generate()),
                EncryptedTokenStore.Listener.NONE);
        leases = new JdbcGrantLease(database.dataSource());
        flows = new JdbcConnectFlowStore(database.dataSource());
    }

    @AfterContainer
    static void close() {
        database.close();
    }

    @BeforeTry
    void clear() {
        database.update("DELETE FROM token_sets");
        database.update("DELETE FROM connect_flows");
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

    private static TokenSet tokens(String accessToken) {
        return new TokenSet(Secret.of(accessToken), Secret.of("rt-" + accessToken), "Bearer", Set.of(), LATER);
    }
}
