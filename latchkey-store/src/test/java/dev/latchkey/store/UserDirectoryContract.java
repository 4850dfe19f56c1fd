package dev.latchkey.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.latchkey.core.identity.ExternalIdentity;
import dev.latchkey.core.identity.IdentityPolicy;
import dev.latchkey.core.identity.IdentityResolver;
import dev.latchkey.core.identity.Resolution;
import dev.latchkey.core.identity.TokenIdentity;
import dev.latchkey.core.identity.User;
import dev.latchkey.core.identity.UserId;
import dev.latchkey.core.tenant.TenantId;
import dev.latchkey.testkit.MutableClock;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The {@link dev.latchkey.core.identity.UserDirectory} contract on each database, including the
 * races of concurrent first logins. Each test starts from empty tables.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class UserDirectoryContract {
    private static final TenantId ACME = TenantId.of("acme");
    private static final TenantId GLOBEX = TenantId.of("globex");
    private static final String IDP = "https://idp.test/realms/acme";
    private static final ExternalIdentity ALICE_AT_IDP = new ExternalIdentity(ACME, IDP, "sub-alice");

    private TestDatabase database;
    private JdbcUserDirectory directory;

    protected abstract TestDatabase openDatabase();

    @BeforeAll
    void open() {
        database = openDatabase();
        directory = new JdbcUserDirectory(database.dataSource());
    }

    @AfterAll
    void close() {
        database.close();
    }

    @BeforeEach
    void clear() {
        database.update("DELETE FROM identity_bindings");
        database.update("DELETE FROM users");
        database.update("DELETE FROM audit_events");
    }

    @Test
    void provision_newIdentity_storesUserAndBindingReadBackByBoth() {
        User alice = new User(ACME, UserId.of("u-alice"), "Alice@Corp.test", true, Set.of("eng", "ops"));

        assertThat(directory.provision(alice, ALICE_AT_IDP)).isEqualTo(alice);

        assertThat(directory.findByIdentity(ALICE_AT_IDP)).contains(alice);
        assertThat(directory.find(ACME, alice.id())).contains(alice);
        assertThat(alice.email()).isEqualTo("alice@corp.test");
        assertThat(directory.find(GLOBEX, alice.id())).isEmpty();
        assertThat(directory.findByIdentity(new ExternalIdentity(GLOBEX, IDP, "sub-alice")))
                .isEmpty();
    }

    @Test
    void provision_identityAlreadyBound_returnsBoundUserAndCreatesNoRow() throws SQLException {
        User first = directory.provision(user(ACME, "u-1", null, false), ALICE_AT_IDP);

        User second = directory.provision(user(ACME, "u-2", null, false), ALICE_AT_IDP);

        assertThat(second).isEqualTo(first);
        assertThat(count("SELECT count(*) FROM users")).isEqualTo(1);
    }

    @Test
    void bind_sameIdentityTwice_firstBindingStays() {
        User one = add(user(ACME, "u-1", null, false));
        User two = add(user(ACME, "u-2", null, false));

        assertThat(directory.bind(ALICE_AT_IDP, one.id())).isEqualTo(one);
        assertThat(directory.bind(ALICE_AT_IDP, two.id())).isEqualTo(one);
        assertThat(directory.findByIdentity(ALICE_AT_IDP)).contains(one);
    }

    @Test
    void bind_userOfAnotherTenant_refused() {
        add(user(GLOBEX, "u-bob", null, false));

        assertThatThrownBy(() -> directory.bind(ALICE_AT_IDP, UserId.of("u-bob")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(directory.findByIdentity(ALICE_AT_IDP)).isEmpty();
    }

    /** C2-01: the same subject from two issuers, and the same issuer and subject in two tenants. */
    @Test
    void provision_sameSubjectAcrossIssuersAndTenants_separateUsers() {
        directory.provision(user(ACME, "a-1", null, false), new ExternalIdentity(ACME, IDP, "12345"));
        directory.provision(user(ACME, "a-2", null, false), new ExternalIdentity(ACME, "https://other.test", "12345"));
        directory.provision(user(GLOBEX, "g-1", null, false), new ExternalIdentity(GLOBEX, IDP, "12345"));

        assertThat(directory
                        .findByIdentity(new ExternalIdentity(ACME, IDP, "12345"))
                        .orElseThrow()
                        .id())
                .isEqualTo(UserId.of("a-1"));
        assertThat(directory
                        .findByIdentity(new ExternalIdentity(ACME, "https://other.test", "12345"))
                        .orElseThrow()
                        .id())
                .isEqualTo(UserId.of("a-2"));
        assertThat(directory
                        .findByIdentity(new ExternalIdentity(GLOBEX, IDP, "12345"))
                        .orElseThrow())
                .satisfies(user -> assertThat(user.tenant()).isEqualTo(GLOBEX));
    }

    @Test
    void provision_userOfOtherTenantThanIdentity_refused() {
        assertThatThrownBy(() -> directory.provision(user(GLOBEX, "g-1", null, false), ALICE_AT_IDP))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void findByVerifiedEmail_onlyVerifiedUsersOfTheTenantIgnoringCase() {
        User verified = add(user(ACME, "u-1", "alice@corp.test", true));
        add(user(ACME, "u-2", "alice@corp.test", false));
        add(user(GLOBEX, "u-3", "alice@corp.test", true));

        assertThat(directory.findByVerifiedEmail(ACME, "ALICE@corp.test")).containsExactly(verified);
        assertThat(directory.findByVerifiedEmail(ACME, "bob@corp.test")).isEmpty();
    }

    @Test
    void updateGroups_replacesWithinTenantOnly() {
        User alice =
                directory.provision(new User(ACME, UserId.of("u-alice"), null, false, Set.of("old")), ALICE_AT_IDP);

        assertThat(directory.updateGroups(ACME, alice.id(), Set.of("b", "a"))).isTrue();
        assertThat(directory.updateGroups(GLOBEX, alice.id(), Set.of("x"))).isFalse();

        assertThat(directory.find(ACME, alice.id()).orElseThrow().groups()).containsExactlyInAnyOrder("a", "b");
    }

    @Test
    void bind_16ConcurrentBindersOfOneIdentity_oneBindingEveryoneSeesWinner() throws Exception {
        for (int round = 0; round < 5; round++) {
            clear();
            int threads = 16;
            List<UserId> candidates = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                candidates.add(add(user(ACME, "u-" + i, null, false)).id());
            }
            List<User> winners = race(threads, i -> directory.bind(ALICE_AT_IDP, candidates.get(i)));

            assertThat(new HashSet<>(winners)).hasSize(1);
            assertThat(count("SELECT count(*) FROM identity_bindings")).isEqualTo(1);
            assertThat(directory.findByIdentity(ALICE_AT_IDP)).contains(winners.getFirst());
        }
    }

    /** C2-05 (b): 50 concurrent first requests of one new identity with JIT on. */
    @Test
    void resolve_50ConcurrentFirstRequestsWithJit_oneUserRowOneAuditEvent() throws Exception {
        IdentityResolver resolver = new IdentityResolver(
                directory,
                tenant -> Optional.of(IdentityPolicy.defaults().withProvisioning(IdentityPolicy.Provisioning.JIT)),
                new JdbcAuditLog(database.dataSource()),
                MutableClock.atFixedStart());
        TokenIdentity token = new TokenIdentity(ACME, IDP, "newcomer", Map.of(), Set.of("openid"));
        for (int round = 0; round < 3; round++) {
            clear();
            List<Resolution> results = race(50, i -> resolver.resolve(token));

            assertThat(results).allSatisfy(result -> assertThat(result).isInstanceOf(Resolution.Resolved.class));
            assertThat(results.stream()
                            .map(result ->
                                    ((Resolution.Resolved) result).principal().user())
                            .distinct())
                    .hasSize(1);
            assertThat(count("SELECT count(*) FROM users")).isEqualTo(1);
            assertThat(count("SELECT count(*) FROM identity_bindings")).isEqualTo(1);
            assertThat(count("SELECT count(*) FROM audit_events WHERE action = 'identity.provisioned'"))
                    .isEqualTo(1);
        }
    }

    /** C2-05 (a): JIT off leaves no row behind. */
    @Test
    void resolve_jitOffUnknownIdentity_noRow() throws SQLException {
        IdentityResolver resolver = new IdentityResolver(
                directory,
                tenant -> Optional.of(IdentityPolicy.defaults()),
                new JdbcAuditLog(database.dataSource()),
                MutableClock.atFixedStart());

        assertThat(resolver.resolve(new TokenIdentity(ACME, IDP, "stranger", Map.of(), Set.of())))
                .isEqualTo(new Resolution.Unknown("user_not_provisioned"));
        assertThat(count("SELECT count(*) FROM users")).isZero();
        assertThat(count("SELECT count(*) FROM identity_bindings")).isZero();
    }

    private interface Attempt<T> {
        T run(int index) throws Exception;
    }

    /** Runs {@code threads} attempts released at once behind a start gate. */
    private static <T> List<T> race(int threads, Attempt<T> attempt) throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        List<Future<T>> futures = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            for (int i = 0; i < threads; i++) {
                int index = i;
                Callable<T> task = () -> {
                    gate.await();
                    return attempt.run(index);
                };
                futures.add(pool.submit(task));
            }
            gate.countDown();
            List<T> results = new ArrayList<>();
            for (Future<T> future : futures) {
                results.add(future.get());
            }
            return results;
        }
    }

    /** Inserts a user without a binding, as an administrator would. */
    private User add(User user) {
        try (Connection connection = database.dataSource().getConnection();
                PreparedStatement insert = connection.prepareStatement(
                        "INSERT INTO users (tenant, id, email, email_verified, groups) VALUES (?, ?, ?, ?, '[]')")) {
            insert.setString(1, user.tenant().value());
            insert.setString(2, user.id().value());
            insert.setString(3, user.email());
            insert.setBoolean(4, user.emailVerified());
            insert.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return user;
    }

    private static User user(TenantId tenant, String id, @Nullable String email, boolean verified) {
        return new User(tenant, UserId.of(id), email, verified, Set.of());
    }

    private long count(String query) throws SQLException {
        try (Connection connection = database.dataSource().getConnection();
                Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery(query)) {
            result.next();
            return result.getLong(1);
        }
    }
}
