package dev.latchkey.store;

import dev.latchkey.core.grant.Ciphertext;
import dev.latchkey.core.identity.UserId;
import dev.latchkey.core.session.BrowserSession;
import dev.latchkey.core.session.BrowserSessionStore;
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
import java.util.Optional;
import javax.sql.DataSource;

/**
 * {@link BrowserSessionStore} in the {@code browser_sessions} table, the same on H2 and PostgreSQL.
 * Ending sessions reads the matching id hashes and deletes each by key, reporting only those this
 * caller deleted, so concurrent logouts never report one session twice.
 *
 * <p>A database failure surfaces as {@link StoreUnavailableException}.
 */
public final class JdbcBrowserSessionStore implements BrowserSessionStore {
    private static final String COLUMNS = "tenant, id_hash, user_id, created_at, last_seen_at, expires_at,"
            + " idp_issuer, idp_sid, idp_subject, sealed, idp_expires_at";
    private static final String INSERT =
            "INSERT INTO browser_sessions (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    private static final String CLAIM = "UPDATE browser_sessions SET idp_refresh_until = ?"
            + " WHERE tenant = ? AND id_hash = ? AND (idp_refresh_until IS NULL OR idp_refresh_until < ?)";
    private static final String STORE_TOKENS = "UPDATE browser_sessions SET sealed = ?, idp_expires_at = ?,"
            + " idp_refresh_until = NULL WHERE tenant = ? AND id_hash = ?";
    private static final String FIND = "SELECT " + COLUMNS + " FROM browser_sessions WHERE tenant = ? AND id_hash = ?";
    private static final String TOUCH =
            "UPDATE browser_sessions SET last_seen_at = ?" + " WHERE tenant = ? AND id_hash = ? AND last_seen_at < ?";
    private static final String DELETE = "DELETE FROM browser_sessions WHERE tenant = ? AND id_hash = ?";
    private static final String BY_SID =
            "SELECT id_hash FROM browser_sessions WHERE tenant = ? AND idp_issuer = ? AND idp_sid = ?";
    private static final String BY_SUBJECT =
            "SELECT id_hash FROM browser_sessions WHERE tenant = ? AND idp_issuer = ? AND idp_subject = ?";
    private static final String BY_USER = "SELECT id_hash FROM browser_sessions WHERE tenant = ? AND user_id = ?";
    private static final String PURGE = "DELETE FROM browser_sessions WHERE expires_at < ? OR last_seen_at < ?";

    private final DataSource dataSource;

    public JdbcBrowserSessionStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Override
    public void create(BrowserSession session) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement insert = connection.prepareStatement(INSERT)) {
            insert.setString(1, session.tenant().value());
            insert.setString(2, session.idHash());
            insert.setString(3, session.user().value());
            insert.setObject(4, utc(session.createdAt()));
            insert.setObject(5, utc(session.lastSeenAt()));
            insert.setObject(6, utc(session.expiresAt()));
            insert.setString(7, session.idpIssuer());
            insert.setString(8, session.idpSid());
            insert.setString(9, session.idpSubject());
            insert.setBytes(10, session.sealedIdpTokens().bytes());
            insert.setObject(11, session.idpExpiresAt() == null ? null : utc(session.idpExpiresAt()));
            insert.executeUpdate();
        } catch (SQLException e) {
            throw unavailable("write", e);
        }
    }

    @Override
    public Optional<BrowserSession> find(TenantId tenant, String idHash) {
        try (Connection connection = dataSource.getConnection()) {
            return find(connection, tenant, idHash);
        } catch (SQLException e) {
            throw unavailable("read", e);
        }
    }

    @Override
    public void touch(TenantId tenant, String idHash, Instant now) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement touch = connection.prepareStatement(TOUCH)) {
            touch.setObject(1, utc(now));
            touch.setString(2, tenant.value());
            touch.setString(3, idHash);
            touch.setObject(4, utc(now));
            touch.executeUpdate();
        } catch (SQLException e) {
            throw unavailable("touch", e);
        }
    }

    @Override
    public boolean claimIdpRefresh(TenantId tenant, String idHash, Instant now, Instant until) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement claim = connection.prepareStatement(CLAIM)) {
            claim.setObject(1, utc(until));
            claim.setString(2, tenant.value());
            claim.setString(3, idHash);
            claim.setObject(4, utc(now));
            return claim.executeUpdate() == 1;
        } catch (SQLException e) {
            throw unavailable("claim", e);
        }
    }

    @Override
    public void storeIdpTokens(
            TenantId tenant,
            String idHash,
            Ciphertext sealed,
            @org.jspecify.annotations.Nullable Instant idpExpiresAt) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement store = connection.prepareStatement(STORE_TOKENS)) {
            store.setBytes(1, sealed.bytes());
            store.setObject(2, idpExpiresAt == null ? null : utc(idpExpiresAt));
            store.setString(3, tenant.value());
            store.setString(4, idHash);
            store.executeUpdate();
        } catch (SQLException e) {
            throw unavailable("store tokens", e);
        }
    }

    @Override
    public Optional<BrowserSession> delete(TenantId tenant, String idHash) {
        try (Connection connection = dataSource.getConnection()) {
            Optional<BrowserSession> session = find(connection, tenant, idHash);
            return session.isPresent() && deleteOne(connection, tenant, idHash) ? session : Optional.empty();
        } catch (SQLException e) {
            throw unavailable("delete", e);
        }
    }

    @Override
    public List<String> deleteByIdp(TenantId tenant, String issuer, Optional<String> sid, Optional<String> subject) {
        if (sid.isEmpty() && subject.isEmpty()) {
            return List.of();
        }
        return deleteMatching(
                sid.isPresent() ? BY_SID : BY_SUBJECT, tenant, issuer, sid.isPresent() ? sid.get() : subject.get());
    }

    @Override
    public List<String> deleteUser(TenantId tenant, UserId user) {
        return deleteMatching(BY_USER, tenant, user.value(), null);
    }

    @Override
    public int purge(Instant now, Instant idleBefore) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement purge = connection.prepareStatement(PURGE)) {
            purge.setObject(1, utc(now));
            purge.setObject(2, utc(idleBefore));
            return purge.executeUpdate();
        } catch (SQLException e) {
            throw unavailable("purge", e);
        }
    }

    private List<String> deleteMatching(
            String query, TenantId tenant, String first, @org.jspecify.annotations.Nullable String second) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement select = connection.prepareStatement(query)) {
            select.setString(1, tenant.value());
            select.setString(2, first);
            if (second != null) {
                select.setString(3, second);
            }
            List<String> matching = new ArrayList<>();
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    matching.add(rows.getString(1));
                }
            }
            List<String> deleted = new ArrayList<>();
            for (String idHash : matching) {
                if (deleteOne(connection, tenant, idHash)) {
                    deleted.add(idHash);
                }
            }
            return deleted;
        } catch (SQLException e) {
            throw unavailable("delete", e);
        }
    }

    private static boolean deleteOne(Connection connection, TenantId tenant, String idHash) throws SQLException {
        try (PreparedStatement delete = connection.prepareStatement(DELETE)) {
            delete.setString(1, tenant.value());
            delete.setString(2, idHash);
            return delete.executeUpdate() == 1;
        }
    }

    private static Optional<BrowserSession> find(Connection connection, TenantId tenant, String idHash)
            throws SQLException {
        try (PreparedStatement read = connection.prepareStatement(FIND)) {
            read.setString(1, tenant.value());
            read.setString(2, idHash);
            try (ResultSet row = read.executeQuery()) {
                if (!row.next()) {
                    return Optional.empty();
                }
                return Optional.of(new BrowserSession(
                        tenant,
                        idHash,
                        UserId.of(row.getString(3)),
                        instant(row, 4),
                        instant(row, 5),
                        instant(row, 6),
                        row.getString(7),
                        row.getString(8),
                        row.getString(9),
                        Ciphertext.of(row.getBytes(10)),
                        nullableInstant(row, 11)));
            }
        }
    }

    private static @org.jspecify.annotations.Nullable Instant nullableInstant(ResultSet row, int column)
            throws SQLException {
        @org.jspecify.annotations.Nullable OffsetDateTime value = row.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }

    private static Instant instant(ResultSet row, int column) throws SQLException {
        return row.getObject(column, OffsetDateTime.class).toInstant();
    }

    private static OffsetDateTime utc(Instant at) {
        return at.atOffset(ZoneOffset.UTC);
    }

    private static StoreUnavailableException unavailable(String operation, SQLException e) {
        return new StoreUnavailableException(
                "browser session " + operation + " failed (SQLState " + e.getSQLState() + ")", e);
    }
}
