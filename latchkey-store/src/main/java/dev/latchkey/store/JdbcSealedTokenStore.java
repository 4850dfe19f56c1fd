package dev.latchkey.store;

import dev.latchkey.core.grant.Ciphertext;
import dev.latchkey.core.grant.GrantKey;
import dev.latchkey.core.grant.ResourceName;
import dev.latchkey.core.grant.SealedGrant;
import dev.latchkey.core.grant.SealedTokenStore;
import dev.latchkey.core.grant.SealedWrite;
import dev.latchkey.core.identity.UserId;
import dev.latchkey.core.tenant.TenantId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * {@link SealedTokenStore} in the {@code token_sets} table, the same on H2 and PostgreSQL. Every
 * statement runs alone in autocommit and every compare-and-set is one conditional statement, so
 * the database judges each race atomically: no locks are held between statements and replicas
 * sharing the database need nothing else to agree. Every query names the tenant, except {@link
 * #page}, which walks all tenants for background work by design.
 *
 * <p>A database failure surfaces as {@link StoreUnavailableException}, never as an absent row.
 */
public final class JdbcSealedTokenStore implements SealedTokenStore {
    // SQLState 23505 (unique violation) on both PostgreSQL and H2.
    private static final String UNIQUE_VIOLATION = "23505";

    private static final String COLUMNS = "tenant, user_id, resource, version, ciphertext, expires_at";
    private static final String FIND =
            "SELECT " + COLUMNS + " FROM token_sets WHERE tenant = ? AND user_id = ? AND resource = ?";
    private static final String INSERT = "INSERT INTO token_sets"
            + " (tenant, user_id, resource, ciphertext, expires_at, version, created_at, updated_at)"
            + " VALUES (?, ?, ?, ?, ?, 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)";
    private static final String UPDATE = "UPDATE token_sets"
            + " SET ciphertext = ?, expires_at = ?, version = version + 1, updated_at = CURRENT_TIMESTAMP"
            + " WHERE tenant = ? AND user_id = ? AND resource = ? AND version = ?";
    private static final String RESEAL = "UPDATE token_sets SET ciphertext = ?, updated_at = CURRENT_TIMESTAMP"
            + " WHERE tenant = ? AND user_id = ? AND resource = ? AND version = ?";
    private static final String DELETE =
            "DELETE FROM token_sets WHERE tenant = ? AND user_id = ? AND resource = ? AND version = ?";
    private static final String LIST_FOR_USER =
            "SELECT " + COLUMNS + " FROM token_sets WHERE tenant = ? AND user_id = ? ORDER BY resource";
    private static final String FIRST_PAGE =
            "SELECT " + COLUMNS + " FROM token_sets ORDER BY tenant, user_id, resource LIMIT ?";
    // Keyset pagination: a row-value comparison walks the primary key index from the last key seen.
    private static final String NEXT_PAGE = "SELECT " + COLUMNS + " FROM token_sets"
            + " WHERE (tenant, user_id, resource) > (?, ?, ?) ORDER BY tenant, user_id, resource LIMIT ?";

    private final DataSource dataSource;

    public JdbcSealedTokenStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Override
    public Optional<SealedGrant> find(GrantKey key) {
        try (Connection connection = dataSource.getConnection()) {
            return find(connection, key);
        } catch (SQLException e) {
            throw unavailable("find", e);
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>Version 0 inserts; a row that exists already (even one inserted a moment ago by another
     * replica) is a conflict carrying that row. Any other version updates only the row that still
     * has it; if none does, the conflict carries the current row, or nothing if it was deleted.
     */
    @Override
    public SealedWrite compareAndSet(
            GrantKey key, long expectedVersion, Ciphertext ciphertext, @Nullable Instant expiresAt) {
        if (expectedVersion < 0) {
            throw new IllegalArgumentException("expected version must be 0 (absent) or positive");
        }
        try (Connection connection = dataSource.getConnection()) {
            if (expectedVersion == 0) {
                return insert(connection, key, ciphertext, expiresAt);
            }
            try (PreparedStatement update = connection.prepareStatement(UPDATE)) {
                update.setBytes(1, ciphertext.bytes());
                setInstant(update, 2, expiresAt);
                bindKey(update, 3, key);
                update.setLong(6, expectedVersion);
                if (update.executeUpdate() == 1) {
                    return new SealedWrite.Written(expectedVersion + 1);
                }
            }
            return new SealedWrite.Conflict(find(connection, key));
        } catch (SQLException e) {
            throw unavailable("compare-and-set", e);
        }
    }

    @Override
    public boolean reseal(GrantKey key, long version, Ciphertext ciphertext) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement reseal = connection.prepareStatement(RESEAL)) {
            reseal.setBytes(1, ciphertext.bytes());
            bindKey(reseal, 2, key);
            reseal.setLong(5, version);
            return reseal.executeUpdate() == 1;
        } catch (SQLException e) {
            throw unavailable("reseal", e);
        }
    }

    @Override
    public boolean delete(GrantKey key, long expectedVersion) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement delete = connection.prepareStatement(DELETE)) {
            bindKey(delete, 1, key);
            delete.setLong(4, expectedVersion);
            return delete.executeUpdate() == 1;
        } catch (SQLException e) {
            throw unavailable("delete", e);
        }
    }

    @Override
    public List<SealedGrant> listForUser(TenantId tenant, UserId user) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement list = connection.prepareStatement(LIST_FOR_USER)) {
            list.setString(1, tenant.value());
            list.setString(2, user.value());
            return readAll(list);
        } catch (SQLException e) {
            throw unavailable("list", e);
        }
    }

    @Override
    public List<SealedGrant> page(@Nullable GrantKey after, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("page limit must be at least 1");
        }
        try (Connection connection = dataSource.getConnection();
                PreparedStatement page = connection.prepareStatement(after == null ? FIRST_PAGE : NEXT_PAGE)) {
            int next = 1;
            if (after != null) {
                next = bindKey(page, 1, after);
            }
            page.setInt(next, limit);
            return readAll(page);
        } catch (SQLException e) {
            throw unavailable("page", e);
        }
    }

    private static SealedWrite insert(
            Connection connection, GrantKey key, Ciphertext ciphertext, @Nullable Instant expiresAt)
            throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement(INSERT)) {
            int next = bindKey(insert, 1, key);
            insert.setBytes(next, ciphertext.bytes());
            setInstant(insert, next + 1, expiresAt);
            insert.executeUpdate();
            return new SealedWrite.Written(1);
        } catch (SQLException e) {
            if (UNIQUE_VIOLATION.equals(e.getSQLState())) {
                return new SealedWrite.Conflict(find(connection, key));
            }
            throw e;
        }
    }

    private static Optional<SealedGrant> find(Connection connection, GrantKey key) throws SQLException {
        try (PreparedStatement find = connection.prepareStatement(FIND)) {
            bindKey(find, 1, key);
            List<SealedGrant> rows = readAll(find);
            return rows.isEmpty() ? Optional.empty() : Optional.of(rows.getFirst());
        }
    }

    /** Binds tenant, user and resource from {@code index} on; returns the next free index. */
    private static int bindKey(PreparedStatement statement, int index, GrantKey key) throws SQLException {
        statement.setString(index, key.tenant().value());
        statement.setString(index + 1, key.user().value());
        statement.setString(index + 2, key.resource().value());
        return index + 3;
    }

    private static void setInstant(PreparedStatement statement, int index, @Nullable Instant instant)
            throws SQLException {
        if (instant == null) {
            statement.setNull(index, Types.TIMESTAMP_WITH_TIMEZONE);
        } else {
            statement.setObject(index, instant.atOffset(ZoneOffset.UTC));
        }
    }

    private static List<SealedGrant> readAll(PreparedStatement query) throws SQLException {
        List<SealedGrant> rows = new ArrayList<>();
        try (ResultSet result = query.executeQuery()) {
            while (result.next()) {
                GrantKey key = new GrantKey(
                        TenantId.of(result.getString(1)),
                        UserId.of(result.getString(2)),
                        ResourceName.of(result.getString(3)));
                @Nullable OffsetDateTime expiresAt = result.getObject(6, OffsetDateTime.class);
                rows.add(new SealedGrant(
                        key,
                        result.getLong(4),
                        Ciphertext.of(result.getBytes(5)),
                        expiresAt == null ? null : expiresAt.toInstant()));
            }
        }
        return List.copyOf(rows);
    }

    /** The message names the operation and SQLState only; the cause stays for diagnosis. */
    private static StoreUnavailableException unavailable(String operation, SQLException e) {
        return new StoreUnavailableException(
                "token store " + operation + " failed (SQLState " + e.getSQLState() + ")", e);
    }
}
