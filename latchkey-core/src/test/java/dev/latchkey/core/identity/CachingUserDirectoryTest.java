package dev.latchkey.core.identity;

import static org.assertj.core.api.Assertions.assertThat;

import dev.latchkey.core.tenant.TenantId;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CachingUserDirectoryTest {
    private static final TenantId ACME = TenantId.of("acme");
    private static final TenantId GLOBEX = TenantId.of("globex");

    private final AtomicInteger lookups = new AtomicInteger();
    private final InMemoryUserDirectory backing = new InMemoryUserDirectory();
    private final UserDirectory counting = new UserDirectory() {
        @Override
        public Optional<User> findByIdentity(ExternalIdentity identity) {
            lookups.incrementAndGet();
            return backing.findByIdentity(identity);
        }

        @Override
        public Optional<User> find(TenantId tenant, UserId user) {
            return backing.find(tenant, user);
        }

        @Override
        public java.util.List<User> findByVerifiedEmail(TenantId tenant, String email) {
            return backing.findByVerifiedEmail(tenant, email);
        }

        @Override
        public User bind(ExternalIdentity identity, UserId user) {
            return backing.bind(identity, user);
        }

        @Override
        public User provision(User user, ExternalIdentity identity) {
            return backing.provision(user, identity);
        }

        @Override
        public boolean updateGroups(TenantId tenant, UserId user, Set<String> groups) {
            return backing.updateGroups(tenant, user, groups);
        }
    };
    private final CachingUserDirectory cache = new CachingUserDirectory(counting, Duration.ofMinutes(1), 100);

    private static ExternalIdentity identity(TenantId tenant, String subject) {
        return new ExternalIdentity(tenant, "https://idp.example.com", subject);
    }

    private User provision(TenantId tenant, String id, String subject) {
        return cache.provision(new User(tenant, UserId.of(id), null, false, Set.of("g1")), identity(tenant, subject));
    }

    @Test
    void findByIdentity_boundIdentity_readsTheDirectoryOnce() {
        provision(ACME, "alice", "sub-1");

        for (int i = 0; i < 5; i++) {
            assertThat(cache.findByIdentity(identity(ACME, "sub-1")))
                    .map(User::id)
                    .contains(UserId.of("alice"));
        }
        assertThat(lookups).hasValue(1);
    }

    @Test
    void findByIdentity_unknownIdentity_notCachedSoALaterBindingIsSeen() {
        assertThat(cache.findByIdentity(identity(ACME, "sub-1"))).isEmpty();
        provision(ACME, "alice", "sub-1");

        assertThat(cache.findByIdentity(identity(ACME, "sub-1"))).isPresent();
    }

    @Test
    void findByIdentity_sameSubjectInTwoTenants_neverShared() {
        provision(ACME, "alice", "sub-1");
        provision(GLOBEX, "mallory", "sub-1");

        assertThat(cache.findByIdentity(identity(ACME, "sub-1"))).map(User::id).contains(UserId.of("alice"));
        assertThat(cache.findByIdentity(identity(GLOBEX, "sub-1")))
                .map(User::id)
                .contains(UserId.of("mallory"));
    }

    @Test
    void updateGroups_evictsSoTheNextReadSeesNewGroups() {
        provision(ACME, "alice", "sub-1");
        cache.findByIdentity(identity(ACME, "sub-1"));

        cache.updateGroups(ACME, UserId.of("alice"), Set.of("g2"));

        assertThat(cache.findByIdentity(identity(ACME, "sub-1")))
                .map(User::groups)
                .contains(Set.of("g2"));
        assertThat(lookups).hasValue(2);
    }
}
