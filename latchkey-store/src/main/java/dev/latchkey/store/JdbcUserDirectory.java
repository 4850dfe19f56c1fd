package dev.latchkey.store;

import dev.latchkey.core.identity.ExternalIdentity;
import dev.latchkey.core.identity.User;
import dev.latchkey.core.identity.UserDirectory;
import dev.latchkey.core.identity.UserId;
import dev.latchkey.core.tenant.TenantId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import javax.sql.DataSource;
import tools.jackson.core.JacksonException;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@link UserDirectory} in the {@code users} and {@code identity_bindings} tables, the same on H2
 * and PostgreSQL. Every statement names the tenant. A binding is written once: the primary key
 * (tenant, issuer, subject) decides concurrent writers, and a loser reads the winner's user.
 * Provisioning inserts the user and its binding in one transaction, so a lost race leaves no user
 * row behind. Thread-safe.
 *
 * <p>A database failure surfaces as {@link StoreUnavailableException}, never as an absent user.
 */
public final class JdbcUserDirectory implements UserDirectory {
    // SQLState of a unique violation on PostgreSQL and H2.
    private static final String UNIQUE_VIOLATION = "23505";
    // A missing referenced row: 23503 on PostgreSQL, 23506 on H2.
    private static final Set<String> FOREIGN_KEY_VIOLATION = Set.of("23503", "23506");
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {};

    private static final String USER_COLUMNS = "u.tenant, u.id, u.email, u.email_verified, u.groups";
    private static final String FIND_BY_IDENTITY = "SELECT " + USER_COLUMNS
            + " FROM identity_bindings b JOIN users u ON u.tenant = b.tenant AND u.id = b.user_id"
            + " WHERE b.tenant = ? AND b.issuer = ? AND b.subject = ?";
    private static final String FIND = "SELECT " + USER_COLUMNS + " FROM users u WHERE u.tenant = ? AND u.id = ?";
    private static final String FIND_BY_VERIFIED_EMAIL = "SELECT " + USER_COLUMNS
            + " FROM users u WHERE u.tenant = ? AND u.email = ? AND u.email_verified = TRUE ORDER BY u.id";
    private static final String INSERT_BINDING = "INSERT INTO identity_bindings"
            + " (tenant, issuer, subject, user_id, created_at) VALUES (?, ?, ?, ?, CURRENT_TIMESTAMP)";
    private static final String INSERT_USER = "INSERT INTO users"
            + " (tenant, id, email, email_verified, groups, created_at) VALUES (?, ?, ?, ?, ?, CURRENT_TIMESTAMP)";
    private static final String UPDATE_GROUPS = "UPDATE users SET groups = ? WHERE tenant = ? AND id = ?";

    private final DataSource dataSource;

    public JdbcUserDirectory(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Override
    public Optional<User> findByIdentity(ExternalIdentity identity) {
        try (Connection connection = dataSource.getConnection()) {
            return findByIdentity(connection, identity);
        } catch (SQLException e) {
            throw unavailable("find by identity", e);
        }
    }

    @Override
    public Optional<User> find(TenantId tenant, UserId user) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement find = connection.prepareStatement(FIND)) {
            find.setString(1, tenant.value());
            find.setString(2, user.value());
            List<User> users = readAll(find);
            return users.isEmpty() ? Optional.empty() : Optional.of(users.getFirst());
        } catch (SQLException e) {
            throw unavailable("find", e);
        }
    }

    @Override
    public List<User> findByVerifiedEmail(TenantId tenant, String email) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement find = connection.prepareStatement(FIND_BY_VERIFIED_EMAIL)) {
            find.setString(1, tenant.value());
            find.setString(2, email.toLowerCase(Locale.ROOT));
            return readAll(find);
        } catch (SQLException e) {
            throw unavailable("find by verified email", e);
        }
    }

    @Override
    public User bind(ExternalIdentity identity, UserId user) {
        try (Connection connection = dataSource.getConnection()) {
            try (PreparedStatement insert = connection.prepareStatement(INSERT_BINDING)) {
                bindIdentity(insert, identity);
                insert.setString(4, user.value());
                insert.executeUpdate();
            } catch (SQLException e) {
                if (e.getSQLState() != null && FOREIGN_KEY_VIOLATION.contains(e.getSQLState())) {
                    throw new IllegalArgumentException("no such user in the identity's tenant", e);
                }
                if (!UNIQUE_VIOLATION.equals(e.getSQLState())) {
                    throw e;
                }
                // Bound already, maybe by a concurrent caller a moment ago: the first binding stays.
            }
            return findByIdentity(connection, identity)
                    .orElseThrow(() -> new IllegalStateException("binding vanished after it was written"));
        } catch (SQLException e) {
            throw unavailable("bind", e);
        }
    }

    @Override
    public User provision(User user, ExternalIdentity identity) {
        if (!user.tenant().equals(identity.tenant())) {
            throw new IllegalArgumentException("user and identity must belong to the same tenant");
        }
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                try (PreparedStatement insertUser = connection.prepareStatement(INSERT_USER);
                        PreparedStatement insertBinding = connection.prepareStatement(INSERT_BINDING)) {
                    insertUser.setString(1, user.tenant().value());
                    insertUser.setString(2, user.id().value());
                    insertUser.setString(3, user.email());
                    insertUser.setBoolean(4, user.emailVerified());
                    insertUser.setString(5, groupsJson(user.groups()));
                    insertUser.executeUpdate();
                    bindIdentity(insertBinding, identity);
                    insertBinding.setString(4, user.id().value());
                    insertBinding.executeUpdate();
                    connection.commit();
                    return user;
                } catch (SQLException e) {
                    connection.rollback();
                    if (!UNIQUE_VIOLATION.equals(e.getSQLState())) {
                        throw e;
                    }
                }
                // Another request provisioned this identity first; the rollback removed our user row.
                return findByIdentity(connection, identity)
                        .orElseThrow(() -> new IllegalStateException("binding vanished after a conflict"));
            } finally {
                connection.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw unavailable("provision", e);
        }
    }

    @Override
    public boolean updateGroups(TenantId tenant, UserId user, Set<String> groups) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement update = connection.prepareStatement(UPDATE_GROUPS)) {
            update.setString(1, groupsJson(groups));
            update.setString(2, tenant.value());
            update.setString(3, user.value());
            return update.executeUpdate() == 1;
        } catch (SQLException e) {
            throw unavailable("update groups", e);
        }
    }

    private static Optional<User> findByIdentity(Connection connection, ExternalIdentity identity) throws SQLException {
        try (PreparedStatement find = connection.prepareStatement(FIND_BY_IDENTITY)) {
            bindIdentity(find, identity);
            List<User> users = readAll(find);
            return users.isEmpty() ? Optional.empty() : Optional.of(users.getFirst());
        }
    }

    private static void bindIdentity(PreparedStatement statement, ExternalIdentity identity) throws SQLException {
        statement.setString(1, identity.tenant().value());
        statement.setString(2, identity.issuer());
        statement.setString(3, identity.subject());
    }

    private static List<User> readAll(PreparedStatement query) throws SQLException {
        List<User> users = new ArrayList<>();
        try (ResultSet row = query.executeQuery()) {
            while (row.next()) {
                users.add(new User(
                        TenantId.of(row.getString(1)),
                        UserId.of(row.getString(2)),
                        row.getString(3),
                        row.getBoolean(4),
                        groups(row.getString(5))));
            }
        }
        return List.copyOf(users);
    }

    // Sorted: the same groups always serialise to the same text.
    private static String groupsJson(Set<String> groups) {
        return JSON.writeValueAsString(groups.stream().sorted().toList());
    }

    private static Set<String> groups(String json) {
        try {
            return Set.copyOf(JSON.readValue(json, STRINGS));
        } catch (JacksonException | NullPointerException e) {
            throw new IllegalStateException("a stored user's groups are not a JSON array of strings", e);
        }
    }

    /** The message names the operation and SQLState only; the cause stays for diagnosis. */
    private static StoreUnavailableException unavailable(String operation, SQLException e) {
        return new StoreUnavailableException(
                "user directory " + operation + " failed (SQLState " + e.getSQLState() + ")", e);
    }
}
