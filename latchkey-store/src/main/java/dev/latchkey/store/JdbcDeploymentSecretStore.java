package dev.latchkey.store;

import dev.latchkey.core.grant.Ciphertext;
import dev.latchkey.core.secret.DeploymentSecretStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * {@link DeploymentSecretStore} in the {@code deployment_secrets} table, the same on H2 and
 * PostgreSQL. Holds ciphertext only. Insertion relies on the primary key: of replicas inserting
 * the same name at once, exactly one succeeds and the others see a unique violation, answered as
 * "not inserted". Thread-safe.
 *
 * <p>A database failure surfaces as {@link StoreUnavailableException}, never as an absent secret.
 */
public final class JdbcDeploymentSecretStore implements DeploymentSecretStore {
    // SQLState 23505 (unique violation) on both PostgreSQL and H2.
    private static final String UNIQUE_VIOLATION = "23505";

    private static final String FIND = "SELECT ciphertext FROM deployment_secrets WHERE name = ?";
    private static final String INSERT =
            "INSERT INTO deployment_secrets (name, ciphertext, created_at)" + " VALUES (?, ?, CURRENT_TIMESTAMP)";
    // Compare-and-set on the old ciphertext: a reseal never overwrites a row someone else changed.
    private static final String RESEAL =
            "UPDATE deployment_secrets SET ciphertext = ? WHERE name = ? AND ciphertext = ?";
    private static final String NAMES = "SELECT name FROM deployment_secrets ORDER BY name";

    private final DataSource dataSource;

    public JdbcDeploymentSecretStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Override
    public Optional<Ciphertext> find(String name) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement find = connection.prepareStatement(FIND)) {
            find.setString(1, name);
            try (ResultSet row = find.executeQuery()) {
                return row.next() ? Optional.of(Ciphertext.of(row.getBytes(1))) : Optional.empty();
            }
        } catch (SQLException e) {
            throw unavailable("find", e);
        }
    }

    @Override
    public boolean insertIfAbsent(String name, Ciphertext sealed) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement insert = connection.prepareStatement(INSERT)) {
            insert.setString(1, name);
            insert.setBytes(2, sealed.bytes());
            return insert.executeUpdate() == 1;
        } catch (SQLException e) {
            if (UNIQUE_VIOLATION.equals(e.getSQLState())) {
                return false;
            }
            throw unavailable("insert", e);
        }
    }

    @Override
    public boolean reseal(String name, Ciphertext expected, Ciphertext resealed) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement reseal = connection.prepareStatement(RESEAL)) {
            reseal.setBytes(1, resealed.bytes());
            reseal.setString(2, name);
            reseal.setBytes(3, expected.bytes());
            return reseal.executeUpdate() == 1;
        } catch (SQLException e) {
            throw unavailable("reseal", e);
        }
    }

    @Override
    public List<String> names() {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement names = connection.prepareStatement(NAMES);
                ResultSet row = names.executeQuery()) {
            List<String> found = new ArrayList<>();
            while (row.next()) {
                found.add(row.getString(1));
            }
            return List.copyOf(found);
        } catch (SQLException e) {
            throw unavailable("names", e);
        }
    }

    /** The message names the operation and SQLState only; the cause stays for diagnosis. */
    private static StoreUnavailableException unavailable(String operation, SQLException e) {
        return new StoreUnavailableException(
                "deployment secret store " + operation + " failed (SQLState " + e.getSQLState() + ")", e);
    }
}
