package dev.latchkey.store;

import dev.latchkey.core.downstream.ConnectFlowStore;
import dev.latchkey.core.downstream.PendingFlow;
import dev.latchkey.core.grant.Ciphertext;
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
import java.util.Optional;
import javax.sql.DataSource;

/**
 * {@link ConnectFlowStore} in the {@code connect_flows} table, the same on H2 and PostgreSQL.
 * Taking a flow is a read followed by a delete that only one caller can win, so a state is
 * redeemed at most once even when its callback reaches two replicas at the same moment.
 *
 * <p>A database failure surfaces as {@link StoreUnavailableException}.
 */
public final class JdbcConnectFlowStore implements ConnectFlowStore {
    private static final String COLUMNS = "tenant, user_id, resource, state_hash, sealed, expires_at";
    private static final String PENDING =
            "SELECT " + COLUMNS + " FROM connect_flows WHERE tenant = ? AND user_id = ? AND resource = ?";
    private static final String DELETE_PENDING =
            "DELETE FROM connect_flows WHERE tenant = ? AND user_id = ? AND resource = ?";
    private static final String INSERT = "INSERT INTO connect_flows (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?)";
    private static final String BY_STATE =
            "SELECT " + COLUMNS + " FROM connect_flows WHERE tenant = ? AND state_hash = ?";
    private static final String DELETE_BY_STATE = "DELETE FROM connect_flows WHERE tenant = ? AND state_hash = ?";
    private static final String PURGE = "DELETE FROM connect_flows WHERE expires_at < ?";

    private final DataSource dataSource;

    public JdbcConnectFlowStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Override
    public Optional<PendingFlow> pending(TenantId tenant, UserId user, ResourceName resource) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement read = connection.prepareStatement(PENDING)) {
            read.setString(1, tenant.value());
            read.setString(2, user.value());
            read.setString(3, resource.value());
            return readOne(read);
        } catch (SQLException e) {
            throw unavailable("read", e);
        }
    }

    @Override
    public void put(PendingFlow flow) {
        try (Connection connection = dataSource.getConnection()) {
            boolean autoCommit = connection.getAutoCommit();
            connection.setAutoCommit(false);
            try (PreparedStatement delete = connection.prepareStatement(DELETE_PENDING);
                    PreparedStatement insert = connection.prepareStatement(INSERT)) {
                delete.setString(1, flow.tenant().value());
                delete.setString(2, flow.user().value());
                delete.setString(3, flow.resource().value());
                delete.executeUpdate();
                insert.setString(1, flow.tenant().value());
                insert.setString(2, flow.user().value());
                insert.setString(3, flow.resource().value());
                insert.setString(4, flow.stateHash());
                insert.setBytes(5, flow.sealed().bytes());
                insert.setObject(6, flow.expiresAt().atOffset(ZoneOffset.UTC));
                insert.executeUpdate();
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(autoCommit);
            }
        } catch (SQLException e) {
            throw unavailable("write", e);
        }
    }

    @Override
    public Optional<PendingFlow> take(TenantId tenant, String stateHash) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement read = connection.prepareStatement(BY_STATE);
                PreparedStatement delete = connection.prepareStatement(DELETE_BY_STATE)) {
            read.setString(1, tenant.value());
            read.setString(2, stateHash);
            Optional<PendingFlow> flow = readOne(read);
            if (flow.isEmpty()) {
                return flow;
            }
            delete.setString(1, tenant.value());
            delete.setString(2, stateHash);
            // Of two callers that read the row, only the one whose delete removed it may use it.
            return delete.executeUpdate() == 1 ? flow : Optional.empty();
        } catch (SQLException e) {
            throw unavailable("take", e);
        }
    }

    @Override
    public int purgeExpired(Instant now) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement purge = connection.prepareStatement(PURGE)) {
            purge.setObject(1, now.atOffset(ZoneOffset.UTC));
            return purge.executeUpdate();
        } catch (SQLException e) {
            throw unavailable("purge", e);
        }
    }

    private static Optional<PendingFlow> readOne(PreparedStatement read) throws SQLException {
        try (ResultSet result = read.executeQuery()) {
            if (!result.next()) {
                return Optional.empty();
            }
            OffsetDateTime expiresAt = result.getObject(6, OffsetDateTime.class);
            return Optional.of(new PendingFlow(
                    TenantId.of(result.getString(1)),
                    UserId.of(result.getString(2)),
                    ResourceName.of(result.getString(3)),
                    result.getString(4),
                    Ciphertext.of(result.getBytes(5)),
                    expiresAt.toInstant()));
        }
    }

    /** The message names the operation and SQLState only; the cause stays for diagnosis. */
    private static StoreUnavailableException unavailable(String operation, SQLException e) {
        return new StoreUnavailableException(
                "connect flow " + operation + " failed (SQLState " + e.getSQLState() + ")", e);
    }
}
