package dev.latchkey.store;

import dev.latchkey.core.grant.GrantKey;
import dev.latchkey.core.grant.GrantLease;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.OptionalLong;
import javax.sql.DataSource;

/**
 * {@link GrantLease} in the lease columns of the grant's own {@code token_sets} row, the same on H2
 * and PostgreSQL. Taking the lease is one conditional update judged by the database's clock
 * ({@code lease_until < CURRENT_TIMESTAMP}), so replicas whose clocks disagree still agree on who
 * holds it; the update also increments the fence. A grant without a row cannot be leased (it has
 * nothing to refresh).
 *
 * <p>A database failure surfaces as {@link StoreUnavailableException}.
 */
public final class JdbcGrantLease implements GrantLease {
    private static final String ACQUIRE = "UPDATE token_sets"
            + " SET lease_owner = ?, lease_until = CURRENT_TIMESTAMP + CAST(? AS BIGINT) * INTERVAL '0.001' SECOND, fence = fence + 1"
            + " WHERE tenant = ? AND user_id = ? AND resource = ?"
            + " AND (lease_until IS NULL OR lease_until < CURRENT_TIMESTAMP)";
    // Read in the acquiring transaction: the update's row lock keeps anyone else from changing it.
    private static final String FENCE =
            "SELECT fence FROM token_sets WHERE tenant = ? AND user_id = ? AND resource = ? AND lease_owner = ?";
    private static final String RELEASE = "UPDATE token_sets SET lease_owner = NULL, lease_until = NULL"
            + " WHERE tenant = ? AND user_id = ? AND resource = ? AND lease_owner = ? AND fence = ?";

    private final DataSource dataSource;

    public JdbcGrantLease(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Override
    public OptionalLong tryAcquire(GrantKey key, String owner, Duration ttl) {
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("lease TTL must be positive");
        }
        try (Connection connection = dataSource.getConnection()) {
            boolean autoCommit = connection.getAutoCommit();
            connection.setAutoCommit(false);
            try {
                OptionalLong fence = acquire(connection, key, owner, ttl);
                connection.commit();
                return fence;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(autoCommit);
            }
        } catch (SQLException e) {
            throw unavailable("acquire", e);
        }
    }

    @Override
    public boolean release(GrantKey key, String owner, long fence) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement release = connection.prepareStatement(RELEASE)) {
            int next = bindKey(release, 1, key);
            release.setString(next, owner);
            release.setLong(next + 1, fence);
            return release.executeUpdate() == 1;
        } catch (SQLException e) {
            throw unavailable("release", e);
        }
    }

    private static OptionalLong acquire(Connection connection, GrantKey key, String owner, Duration ttl)
            throws SQLException {
        try (PreparedStatement acquire = connection.prepareStatement(ACQUIRE)) {
            acquire.setString(1, owner);
            acquire.setLong(2, ttl.toMillis());
            bindKey(acquire, 3, key);
            if (acquire.executeUpdate() != 1) {
                return OptionalLong.empty();
            }
        }
        try (PreparedStatement read = connection.prepareStatement(FENCE)) {
            int next = bindKey(read, 1, key);
            read.setString(next, owner);
            try (ResultSet result = read.executeQuery()) {
                if (!result.next()) {
                    throw new SQLException("leased row vanished inside its own transaction");
                }
                return OptionalLong.of(result.getLong(1));
            }
        }
    }

    /** Binds tenant, user and resource from {@code index} on; returns the next free index. */
    private static int bindKey(PreparedStatement statement, int index, GrantKey key) throws SQLException {
        statement.setString(index, key.tenant().value());
        statement.setString(index + 1, key.user().value());
        statement.setString(index + 2, key.resource().value());
        return index + 3;
    }

    /** The message names the operation and SQLState only; the cause stays for diagnosis. */
    private static StoreUnavailableException unavailable(String operation, SQLException e) {
        return new StoreUnavailableException(
                "grant lease " + operation + " failed (SQLState " + e.getSQLState() + ")", e);
    }
}
