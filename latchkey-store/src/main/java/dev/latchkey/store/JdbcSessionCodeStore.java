package dev.latchkey.store;

import dev.latchkey.core.identity.UserId;
import dev.latchkey.core.session.FamilyId;
import dev.latchkey.core.session.SessionCode;
import dev.latchkey.core.session.SessionCodeStore;
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
 * {@link SessionCodeStore} in the {@code session_codes} table, the same on H2 and PostgreSQL.
 * Redeeming is one conditional update ({@code used_at IS NULL}) that only one caller can win; the
 * loser reads the row to learn which family the winner created.
 *
 * <p>A database failure surfaces as {@link StoreUnavailableException}.
 */
public final class JdbcSessionCodeStore implements SessionCodeStore {
    private static final String INSERT = "INSERT INTO session_codes"
            + " (tenant, code_hash, user_id, origin, browser_session, expires_at) VALUES (?, ?, ?, ?, ?, ?)";
    private static final String REDEEM = "UPDATE session_codes SET used_at = ?, family = ?"
            + " WHERE tenant = ? AND code_hash = ? AND used_at IS NULL";
    private static final String READ = "SELECT user_id, origin, browser_session, expires_at, family"
            + " FROM session_codes WHERE tenant = ? AND code_hash = ?";
    private static final String PURGE = "DELETE FROM session_codes WHERE expires_at < ?";

    private final DataSource dataSource;

    public JdbcSessionCodeStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Override
    public void put(SessionCode code) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement insert = connection.prepareStatement(INSERT)) {
            insert.setString(1, code.tenant().value());
            insert.setString(2, code.hash());
            insert.setString(3, code.user().value());
            insert.setString(4, code.origin());
            insert.setString(5, code.browserSession());
            insert.setObject(6, code.expiresAt().atOffset(ZoneOffset.UTC));
            insert.executeUpdate();
        } catch (SQLException e) {
            throw unavailable("write", e);
        }
    }

    @Override
    public Redemption redeem(TenantId tenant, String hash, FamilyId family, Instant now) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement redeem = connection.prepareStatement(REDEEM);
                PreparedStatement read = connection.prepareStatement(READ)) {
            redeem.setObject(1, now.atOffset(ZoneOffset.UTC));
            redeem.setString(2, family.value());
            redeem.setString(3, tenant.value());
            redeem.setString(4, hash);
            boolean won = redeem.executeUpdate() == 1;
            read.setString(1, tenant.value());
            read.setString(2, hash);
            Optional<SessionCode> code = readOne(read, tenant, hash);
            if (code.isEmpty()) {
                return new Redemption.Unknown();
            }
            return won ? new Redemption.Redeemed(code.get()) : new Redemption.Reused(code.get());
        } catch (SQLException e) {
            throw unavailable("redeem", e);
        }
    }

    @Override
    public int purge(Instant before) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement purge = connection.prepareStatement(PURGE)) {
            purge.setObject(1, before.atOffset(ZoneOffset.UTC));
            return purge.executeUpdate();
        } catch (SQLException e) {
            throw unavailable("purge", e);
        }
    }

    private static Optional<SessionCode> readOne(PreparedStatement read, TenantId tenant, String hash)
            throws SQLException {
        try (ResultSet result = read.executeQuery()) {
            if (!result.next()) {
                return Optional.empty();
            }
            @Nullable String family = result.getString(5);
            return Optional.of(new SessionCode(
                    tenant,
                    hash,
                    UserId.of(result.getString(1)),
                    result.getString(2),
                    result.getString(3),
                    result.getObject(4, OffsetDateTime.class).toInstant(),
                    family == null ? null : new FamilyId(family)));
        }
    }

    private static StoreUnavailableException unavailable(String operation, SQLException e) {
        return new StoreUnavailableException(
                "session code " + operation + " failed (SQLState " + e.getSQLState() + ")", e);
    }
}
