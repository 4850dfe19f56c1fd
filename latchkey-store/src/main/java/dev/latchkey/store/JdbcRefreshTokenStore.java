package dev.latchkey.store;

import dev.latchkey.core.grant.Ciphertext;
import dev.latchkey.core.identity.UserId;
import dev.latchkey.core.session.FamilyId;
import dev.latchkey.core.session.RefreshFamily;
import dev.latchkey.core.session.RefreshTokenStore;
import dev.latchkey.core.session.StoredRefreshToken;
import dev.latchkey.core.tenant.TenantId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Optional;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * {@link RefreshTokenStore} in the {@code refresh_families} and {@code refresh_tokens} tables, the
 * same on H2 and PostgreSQL. A rotation is one transaction whose first statement — an update of the
 * presented token guarded by {@code spent_at IS NULL} and a live family — only one caller can win;
 * the successor is inserted and the family's last use moved in the same transaction, so a token is
 * spent exactly when its successor exists.
 *
 * <p>A database failure surfaces as {@link StoreUnavailableException}.
 */
public final class JdbcRefreshTokenStore implements RefreshTokenStore {
    private static final String FAMILY_COLUMNS =
            "f.user_id, f.browser_session, f.created_at, f.last_used_at, f.revoked_at, f.revoked_reason";
    private static final String INSERT_FAMILY = "INSERT INTO refresh_families"
            + " (tenant, family, user_id, browser_session, created_at, last_used_at) VALUES (?, ?, ?, ?, ?, ?)";
    private static final String INSERT_FIRST = "INSERT INTO refresh_tokens"
            + " (tenant, token_hash, family, generation, issued_at) VALUES (?, ?, ?, 0, ?)";
    private static final String FIND = "SELECT t.family, t.generation, t.issued_at, t.spent_at, t.spent_by,"
            + " t.sealed_successor, " + FAMILY_COLUMNS
            + " FROM refresh_tokens t JOIN refresh_families f ON f.tenant = t.tenant AND f.family = t.family"
            + " WHERE t.tenant = ? AND t.token_hash = ?";
    private static final String FAMILY =
            "SELECT " + FAMILY_COLUMNS + " FROM refresh_families f WHERE f.tenant = ? AND f.family = ?";
    private static final String SPEND = "UPDATE refresh_tokens SET spent_at = ?, spent_by = ?, sealed_successor = ?"
            + " WHERE tenant = ? AND token_hash = ? AND spent_at IS NULL AND EXISTS (SELECT 1 FROM refresh_families f"
            + " WHERE f.tenant = refresh_tokens.tenant AND f.family = refresh_tokens.family AND f.revoked_at IS NULL)";
    private static final String INSERT_SUCCESSOR = "INSERT INTO refresh_tokens"
            + " (tenant, token_hash, family, generation, issued_at)"
            + " SELECT tenant, ?, family, generation + 1, ? FROM refresh_tokens WHERE tenant = ? AND token_hash = ?";
    private static final String TOUCH_FAMILY = "UPDATE refresh_families SET last_used_at = ?"
            + " WHERE tenant = ? AND family = (SELECT family FROM refresh_tokens WHERE tenant = ? AND token_hash = ?)";
    private static final String REVOKE = "UPDATE refresh_families SET revoked_at = ?, revoked_reason = ?"
            + " WHERE tenant = ? AND revoked_at IS NULL AND ";
    private static final String PURGE = "DELETE FROM refresh_families WHERE created_at < ? OR last_used_at < ?";

    private final DataSource dataSource;

    public JdbcRefreshTokenStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Override
    public void create(RefreshFamily family, String firstTokenHash) {
        try (Connection connection = dataSource.getConnection()) {
            inTransaction(connection, () -> {
                try (PreparedStatement insertFamily = connection.prepareStatement(INSERT_FAMILY);
                        PreparedStatement insertToken = connection.prepareStatement(INSERT_FIRST)) {
                    insertFamily.setString(1, family.tenant().value());
                    insertFamily.setString(2, family.id().value());
                    insertFamily.setString(3, family.user().value());
                    insertFamily.setString(4, family.browserSession());
                    insertFamily.setObject(5, utc(family.createdAt()));
                    insertFamily.setObject(6, utc(family.lastUsedAt()));
                    insertFamily.executeUpdate();
                    insertToken.setString(1, family.tenant().value());
                    insertToken.setString(2, firstTokenHash);
                    insertToken.setString(3, family.id().value());
                    insertToken.setObject(4, utc(family.createdAt()));
                    insertToken.executeUpdate();
                    return true;
                }
            });
        } catch (SQLException e) {
            throw unavailable("create", e);
        }
    }

    @Override
    public Optional<Presented> find(TenantId tenant, String tokenHash) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement read = connection.prepareStatement(FIND)) {
            read.setString(1, tenant.value());
            read.setString(2, tokenHash);
            try (ResultSet row = read.executeQuery()) {
                if (!row.next()) {
                    return Optional.empty();
                }
                FamilyId family = new FamilyId(row.getString(1));
                byte @Nullable [] sealed = row.getBytes(6);
                StoredRefreshToken token = new StoredRefreshToken(
                        tokenHash,
                        family,
                        row.getInt(2),
                        instant(row, 3),
                        nullableInstant(row, 4),
                        row.getString(5),
                        sealed == null ? null : Ciphertext.of(sealed));
                return Optional.of(new Presented(token, family(row, 7, tenant, family)));
            }
        } catch (SQLException e) {
            throw unavailable("read", e);
        }
    }

    @Override
    public Optional<RefreshFamily> family(TenantId tenant, FamilyId family) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement read = connection.prepareStatement(FAMILY)) {
            read.setString(1, tenant.value());
            read.setString(2, family.value());
            try (ResultSet row = read.executeQuery()) {
                return row.next() ? Optional.of(family(row, 1, tenant, family)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw unavailable("read family", e);
        }
    }

    @Override
    public boolean rotate(
            TenantId tenant,
            String tokenHash,
            String successorHash,
            Ciphertext sealedSuccessor,
            String client,
            Instant now) {
        try (Connection connection = dataSource.getConnection()) {
            return inTransaction(connection, () -> {
                try (PreparedStatement spend = connection.prepareStatement(SPEND);
                        PreparedStatement successor = connection.prepareStatement(INSERT_SUCCESSOR);
                        PreparedStatement touch = connection.prepareStatement(TOUCH_FAMILY)) {
                    spend.setObject(1, utc(now));
                    spend.setString(2, client);
                    spend.setBytes(3, sealedSuccessor.bytes());
                    spend.setString(4, tenant.value());
                    spend.setString(5, tokenHash);
                    if (spend.executeUpdate() != 1) {
                        return false;
                    }
                    successor.setString(1, successorHash);
                    successor.setObject(2, utc(now));
                    successor.setString(3, tenant.value());
                    successor.setString(4, tokenHash);
                    successor.executeUpdate();
                    touch.setObject(1, utc(now));
                    touch.setString(2, tenant.value());
                    touch.setString(3, tenant.value());
                    touch.setString(4, tokenHash);
                    touch.executeUpdate();
                    return true;
                }
            });
        } catch (SQLException e) {
            throw unavailable("rotate", e);
        }
    }

    @Override
    public boolean revoke(TenantId tenant, FamilyId family, String reason, Instant now) {
        return revokeWhere("family = ?", tenant, family.value(), reason, now) == 1;
    }

    @Override
    public int revokeUser(TenantId tenant, UserId user, String reason, Instant now) {
        return revokeWhere("user_id = ?", tenant, user.value(), reason, now);
    }

    @Override
    public int revokeBrowserSession(TenantId tenant, String browserSession, String reason, Instant now) {
        return revokeWhere("browser_session = ?", tenant, browserSession, reason, now);
    }

    @Override
    public int purge(Instant createdBefore, Instant idleBefore) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement purge = connection.prepareStatement(PURGE)) {
            purge.setObject(1, utc(createdBefore));
            purge.setObject(2, utc(idleBefore));
            return purge.executeUpdate();
        } catch (SQLException e) {
            throw unavailable("purge", e);
        }
    }

    private int revokeWhere(String condition, TenantId tenant, String value, String reason, Instant now) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement revoke = connection.prepareStatement(REVOKE + condition)) {
            revoke.setObject(1, utc(now));
            revoke.setString(2, reason);
            revoke.setString(3, tenant.value());
            revoke.setString(4, value);
            return revoke.executeUpdate();
        } catch (SQLException e) {
            throw unavailable("revoke", e);
        }
    }

    private static RefreshFamily family(ResultSet row, int first, TenantId tenant, FamilyId family)
            throws SQLException {
        return new RefreshFamily(
                tenant,
                family,
                UserId.of(row.getString(first)),
                row.getString(first + 1),
                instant(row, first + 2),
                instant(row, first + 3),
                nullableInstant(row, first + 4),
                row.getString(first + 5));
    }

    private interface Work {
        boolean run() throws SQLException;
    }

    private static boolean inTransaction(Connection connection, Work work) throws SQLException {
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false);
        try {
            boolean done = work.run();
            if (done) {
                connection.commit();
            } else {
                connection.rollback();
            }
            return done;
        } catch (SQLException | RuntimeException e) {
            connection.rollback();
            throw e;
        } finally {
            connection.setAutoCommit(autoCommit);
        }
    }

    private static Instant instant(ResultSet row, int column) throws SQLException {
        return row.getObject(column, OffsetDateTime.class).toInstant();
    }

    private static @Nullable Instant nullableInstant(ResultSet row, int column) throws SQLException {
        @Nullable OffsetDateTime value = row.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }

    private static OffsetDateTime utc(Instant at) {
        return at.atOffset(ZoneOffset.UTC);
    }

    private static StoreUnavailableException unavailable(String operation, SQLException e) {
        return new StoreUnavailableException(
                "refresh token " + operation + " failed (SQLState " + e.getSQLState() + ")", e);
    }
}
