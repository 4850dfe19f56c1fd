package dev.latchkey.core.identity;

import dev.latchkey.core.tenant.TenantId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/** A {@link UserDirectory} in memory for resolver tests; one lock makes every method atomic. */
public final class InMemoryUserDirectory implements UserDirectory {
    private record UserKey(TenantId tenant, UserId id) {}

    private final Map<UserKey, User> users = new HashMap<>();
    private final Map<ExternalIdentity, UserId> bindings = new HashMap<>();

    @Override
    public synchronized Optional<User> findByIdentity(ExternalIdentity identity) {
        return Optional.ofNullable(bindings.get(identity)).map(id -> users.get(new UserKey(identity.tenant(), id)));
    }

    @Override
    public synchronized Optional<User> find(TenantId tenant, UserId user) {
        return Optional.ofNullable(users.get(new UserKey(tenant, user)));
    }

    @Override
    public synchronized List<User> findByVerifiedEmail(TenantId tenant, String email) {
        List<User> found = new ArrayList<>();
        for (User user : users.values()) {
            if (user.tenant().equals(tenant) && user.emailVerified() && email.equalsIgnoreCase(user.email())) {
                found.add(user);
            }
        }
        return found;
    }

    @Override
    public synchronized User bind(ExternalIdentity identity, UserId user) {
        User target = users.get(new UserKey(identity.tenant(), user));
        if (target == null) {
            throw new IllegalArgumentException("no such user in the tenant");
        }
        UserId winner = bindings.putIfAbsent(identity, user);
        return winner == null ? target : Objects.requireNonNull(users.get(new UserKey(identity.tenant(), winner)));
    }

    @Override
    public synchronized User provision(User user, ExternalIdentity identity) {
        if (!user.tenant().equals(identity.tenant())) {
            throw new IllegalArgumentException("user and identity must share a tenant");
        }
        UserId bound = bindings.get(identity);
        if (bound != null) {
            return Objects.requireNonNull(users.get(new UserKey(identity.tenant(), bound)));
        }
        users.put(new UserKey(user.tenant(), user.id()), user);
        bindings.put(identity, user.id());
        return user;
    }

    @Override
    public synchronized boolean updateGroups(TenantId tenant, UserId user, Set<String> groups) {
        return users.computeIfPresent(new UserKey(tenant, user), (key, existing) -> existing.withGroups(groups))
                != null;
    }

    /** Adds a user directly, as an administrator or an earlier login would have. */
    synchronized User add(User user) {
        users.put(new UserKey(user.tenant(), user.id()), user);
        return user;
    }

    synchronized int userCount() {
        return users.size();
    }

    synchronized int bindingCount() {
        return bindings.size();
    }
}
