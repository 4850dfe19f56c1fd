package dev.latchkey.store;

import dev.latchkey.core.grant.Ciphertext;
import dev.latchkey.core.session.LoginFlowStore;
import dev.latchkey.core.session.PendingLogin;
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

/**
 * {@link LoginFlowStore} in the {@code login_flows} table, the same on H2 and PostgreSQL. Taking a
 * login is a read followed by a delete only one caller can win, so a state is used at most once
 * even when its callback reaches two replicas at once.
 *
 * <p>A database failure surfaces as {@link StoreUnavailableException}.
 */
public final class JdbcLoginFlowStore implements LoginFlowStore {
    private static final String INSERT = "INSERT INTO login_flows"
            + " (tenant, state_hash, binding_hash, sealed, expires_at) VALUES (?, ?, ?, ?, ?)";
    private static final String READ =
            "SELECT binding_hash, sealed, expires_at FROM login_flows WHERE tenant = ? AND state_hash = ?";
    private static final String DELETE = "DELETE FROM login_flows WHERE tenant = ? AND state_hash = ?";
    private static final String PENDING = "SELECT count(*) FROM login_flows WHERE tenant = ? AND expires_at > ?";
    private static final String PURGE = "DELETE FROM login_flows WHERE expires_at < ?";

    private final DataSource dataSource;

    public JdbcLoginFlowStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Override
    public void put(PendingLogin login) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement insert = connection.prepareStatement(INSERT)) {
            insert.setString(1, login.tenant().value());
            insert.setString(2, login.stateHash());
            insert.setString(3, login.bindingHash());
            insert.setBytes(4, login.sealed().bytes());
            insert.setObject(5, login.expiresAt().atOffset(ZoneOffset.UTC));
            insert.executeUpdate();
        } catch (SQLException e) {
            throw unavailable("write", e);
        }
    }

    @Override
    public Optional<PendingLogin> take(TenantId tenant, String stateHash) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement read = connection.prepareStatement(READ);
                PreparedStatement delete = connection.prepareStatement(DELETE)) {
            read.setString(1, tenant.value());
            read.setString(2, stateHash);
            PendingLogin login;
            try (ResultSet row = read.executeQuery()) {
                if (!row.next()) {
                    return Optional.empty();
                }
                login = new PendingLogin(
                        tenant,
                        stateHash,
                        row.getString(1),
                        Ciphertext.of(row.getBytes(2)),
                        row.getObject(3, OffsetDateTime.class).toInstant());
            }
            delete.setString(1, tenant.value());
            delete.setString(2, stateHash);
            // Of two callers that read the row, only the one whose delete removed it may use it.
            return delete.executeUpdate() == 1 ? Optional.of(login) : Optional.empty();
        } catch (SQLException e) {
            throw unavailable("take", e);
        }
    }

    @Override
    public int pending(TenantId tenant, Instant now) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement count = connection.prepareStatement(PENDING)) {
            count.setString(1, tenant.value());
            count.setObject(2, now.atOffset(ZoneOffset.UTC));
            try (ResultSet row = count.executeQuery()) {
                row.next();
                return row.getInt(1);
            }
        } catch (SQLException e) {
            throw unavailable("count", e);
        }
    }

    @Override
    public int purge(Instant now) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement purge = connection.prepareStatement(PURGE)) {
            purge.setObject(1, now.atOffset(ZoneOffset.UTC));
            return purge.executeUpdate();
        } catch (SQLException e) {
            throw unavailable("purge", e);
        }
    }

    private static StoreUnavailableException unavailable(String operation, SQLException e) {
        return new StoreUnavailableException(
                "login flow " + operation + " failed (SQLState " + e.getSQLState() + ")", e);
    }
}
