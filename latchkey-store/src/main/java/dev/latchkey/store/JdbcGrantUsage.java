package dev.latchkey.store;

import dev.latchkey.core.grant.GrantKey;
import dev.latchkey.core.grant.GrantUsage;
import dev.latchkey.core.grant.ResourceName;
import dev.latchkey.core.identity.UserId;
import dev.latchkey.core.tenant.TenantId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * {@link GrantUsage} in the {@code last_used_at} column of the grant's own {@code token_sets} row,
 * the same on H2 and PostgreSQL. Recording a use is one conditional update of that column only (no
 * version change, so it never disturbs a compare-and-set); the due-grant scan walks the {@code
 * (expires_at, tenant, user_id, resource)} index across tenants with keyset pagination and returns
 * full keys. Rows leased by a refresh in progress (by the database's clock) are not due.
 *
 * <p>A database failure surfaces as {@link StoreUnavailableException}.
 */
public final class JdbcGrantUsage implements GrantUsage {
    private static final String RECORD_USE = "UPDATE token_sets SET last_used_at = ?"
            + " WHERE tenant = ? AND user_id = ? AND resource = ?"
            + " AND (last_used_at IS NULL OR last_used_at < ?)";
    private static final String DUE_CONDITIONS = " AND expires_at < ? AND last_used_at >= ?"
            + " AND (lease_until IS NULL OR lease_until < CURRENT_TIMESTAMP)"
            + " ORDER BY expires_at, tenant, user_id, resource LIMIT ?";
    private static final String FIRST_PAGE =
            "SELECT tenant, user_id, resource, expires_at FROM token_sets WHERE expires_at >= ?" + DUE_CONDITIONS;
    // Keyset pagination: a row-value comparison continues the index order from the last row seen.
    private static final String NEXT_PAGE = "SELECT tenant, user_id, resource, expires_at FROM token_sets"
            + " WHERE (expires_at, tenant, user_id, resource) > (?, ?, ?, ?)" + DUE_CONDITIONS;

    private final DataSource dataSource;

    public JdbcGrantUsage(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Override
    public void recordUse(GrantKey key, Instant at) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement update = connection.prepareStatement(RECORD_USE)) {
            update.setObject(1, utc(at));
            int next = bindKey(update, 2, key);
            update.setObject(next, utc(at));
            update.executeUpdate();
        } catch (SQLException e) {
            throw unavailable("record use", e);
        }
    }

    @Override
    public List<DueGrant> dueForRefresh(Instant expiringFrom, Instant expiringBefore, Instant usedSince, int limit) {
        checkLimit(limit);
        try (Connection connection = dataSource.getConnection();
                PreparedStatement query = connection.prepareStatement(FIRST_PAGE)) {
            query.setObject(1, utc(expiringFrom));
            bindConditions(query, 2, expiringBefore, usedSince, limit);
            return readAll(query);
        } catch (SQLException e) {
            throw unavailable("due scan", e);
        }
    }

    @Override
    public List<DueGrant> dueForRefresh(DueGrant after, Instant expiringBefore, Instant usedSince, int limit) {
        checkLimit(limit);
        try (Connection connection = dataSource.getConnection();
                PreparedStatement query = connection.prepareStatement(NEXT_PAGE)) {
            query.setObject(1, utc(after.expiresAt()));
            int next = bindKey(query, 2, after.key());
            bindConditions(query, next, expiringBefore, usedSince, limit);
            return readAll(query);
        } catch (SQLException e) {
            throw unavailable("due scan", e);
        }
    }

    private static void checkLimit(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1");
        }
    }

    private static void bindConditions(
            PreparedStatement query, int index, Instant expiringBefore, Instant usedSince, int limit)
            throws SQLException {
        query.setObject(index, utc(expiringBefore));
        query.setObject(index + 1, utc(usedSince));
        query.setInt(index + 2, limit);
    }

    private static List<DueGrant> readAll(PreparedStatement query) throws SQLException {
        List<DueGrant> due = new ArrayList<>();
        try (ResultSet result = query.executeQuery()) {
            while (result.next()) {
                GrantKey key = new GrantKey(
                        TenantId.of(result.getString(1)),
                        UserId.of(result.getString(2)),
                        ResourceName.of(result.getString(3)));
                due.add(new DueGrant(
                        key, result.getObject(4, OffsetDateTime.class).toInstant()));
            }
        }
        return List.copyOf(due);
    }

    /** Binds tenant, user and resource from {@code index} on; returns the next free index. */
    private static int bindKey(PreparedStatement statement, int index, GrantKey key) throws SQLException {
        statement.setString(index, key.tenant().value());
        statement.setString(index + 1, key.user().value());
        statement.setString(index + 2, key.resource().value());
        return index + 3;
    }

    private static OffsetDateTime utc(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }

    /** The message names the operation and SQLState only; the cause stays for diagnosis. */
    private static StoreUnavailableException unavailable(String operation, SQLException e) {
        return new StoreUnavailableException(
                "grant usage " + operation + " failed (SQLState " + e.getSQLState() + ")", e);
    }
}
