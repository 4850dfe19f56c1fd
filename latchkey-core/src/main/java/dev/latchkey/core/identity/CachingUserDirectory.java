package dev.latchkey.core.identity;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.latchkey.core.tenant.TenantId;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A {@link UserDirectory} decorator that keeps found identity bindings for a short time, so a
 * caller presenting the same identity does not read the database on every request. Only bindings
 * that exist are cached (a first request still provisions or links through the directory), keys
 * carry the tenant, and the cache is bounded in size and age. Bindings are written once and never
 * change; a group change made through this instance evicts that user at once, one made by another
 * replica is seen within {@code maxAge}.
 */
public final class CachingUserDirectory implements UserDirectory {
    private final UserDirectory directory;
    private final Cache<ExternalIdentity, User> bound;

    public CachingUserDirectory(UserDirectory directory, Duration maxAge, long maxSize) {
        if (maxAge.isNegative() || maxAge.isZero()) {
            throw new IllegalArgumentException("maxAge must be positive");
        }
        if (maxSize < 1) {
            throw new IllegalArgumentException("maxSize must be at least 1");
        }
        this.directory = directory;
        this.bound = Caffeine.newBuilder()
                .expireAfterWrite(maxAge)
                .maximumSize(maxSize)
                .build();
    }

    @Override
    public Optional<User> findByIdentity(ExternalIdentity identity) {
        User cached = bound.getIfPresent(identity);
        if (cached != null) {
            return Optional.of(cached);
        }
        Optional<User> found = directory.findByIdentity(identity);
        found.ifPresent(user -> bound.put(identity, user));
        return found;
    }

    @Override
    public Optional<User> find(TenantId tenant, UserId user) {
        return directory.find(tenant, user);
    }

    @Override
    public List<User> findByVerifiedEmail(TenantId tenant, String email) {
        return directory.findByVerifiedEmail(tenant, email);
    }

    @Override
    public User bind(ExternalIdentity identity, UserId user) {
        return directory.bind(identity, user);
    }

    @Override
    public User provision(User user, ExternalIdentity identity) {
        return directory.provision(user, identity);
    }

    @Override
    public boolean updateGroups(TenantId tenant, UserId user, Set<String> groups) {
        boolean updated = directory.updateGroups(tenant, user, groups);
        // Group changes are rare; a scan of the bounded cache keeps the key a plain identity.
        bound.asMap()
                .values()
                .removeIf(
                        cached -> cached.tenant().equals(tenant) && cached.id().equals(user));
        return updated;
    }
}
