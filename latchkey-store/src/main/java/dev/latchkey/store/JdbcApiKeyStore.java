package dev.latchkey.store;

import dev.latchkey.core.identity.ApiKey;
import dev.latchkey.core.identity.ApiKeyId;
import dev.latchkey.core.identity.ApiKeyStore;
import dev.latchkey.core.identity.StoredApiKey;
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
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@link ApiKeyStore} in the {@code api_keys} table, the same on H2 and PostgreSQL. Only the key's
 * public id and its keyed hash are stored. Every statement names the tenant; a key is found by its
 * primary key (tenant, id), so checking a presented key never scans. Thread-safe.
 *
 * <p>A database failure surfaces as {@link StoreUnavailableException}, never as an absent key.
 */
public final class JdbcApiKeyStore implements ApiKeyStore {
    private static final String UNIQUE_VIOLATION = "23505";
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {};

    private static final String COLUMNS =
            "tenant, id, user_id, scopes, expires_at, revoked_at, created_at, last_used_at, hash";
    private static final String INSERT = "INSERT INTO api_keys (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
    // Package-visible for the test that checks PostgreSQL answers it from the primary key index.
    static final String FIND = "SELECT " + COLUMNS + " FROM api_keys WHERE tenant = ? AND id = ?";
    private static final String LIST =
            "SELECT " + COLUMNS + " FROM api_keys WHERE tenant = ? AND user_id = ? ORDER BY created_at DESC, id";
    private static final String REVOKE = "UPDATE api_keys SET revoked_at = ?"
            + " WHERE tenant = ? AND id = ? AND user_id = ? AND revoked_at IS NULL";
    private static final String RECORD_USE = "UPDATE api_keys SET last_used_at = ? WHERE tenant = ? AND id = ?";

    private final DataSource dataSource;

    public JdbcApiKeyStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Override
    public void insert(StoredApiKey stored) {
        ApiKey key = stored.key();
        try (Connection connection = dataSource.getConnection();
                PreparedStatement insert = connection.prepareStatement(INSERT)) {
            insert.setString(1, key.tenant().value());
            insert.setString(2, key.id().value());
            insert.setString(3, key.owner().value());
            insert.setString(
                    4, JSON.writeValueAsString(key.scopes().stream().sorted().toList()));
            setInstant(insert, 5, key.expiresAt());
            setInstant(insert, 6, key.revokedAt());
            setInstant(insert, 7, key.createdAt());
            setInstant(insert, 8, key.lastUsedAt());
            insert.setString(9, stored.hash());
            insert.executeUpdate();
        } catch (SQLException e) {
            if (UNIQUE_VIOLATION.equals(e.getSQLState())) {
                throw new IllegalStateException("the tenant already has an API key with this id", e);
            }
            throw unavailable("insert", e);
        }
    }

    @Override
    public Optional<StoredApiKey> find(TenantId tenant, ApiKeyId id) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement find = connection.prepareStatement(FIND)) {
            find.setString(1, tenant.value());
            find.setString(2, id.value());
            List<StoredApiKey> keys = readAll(find);
            return keys.isEmpty() ? Optional.empty() : Optional.of(keys.getFirst());
        } catch (SQLException e) {
            throw unavailable("find", e);
        }
    }

    @Override
    public List<ApiKey> list(TenantId tenant, UserId owner) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement list = connection.prepareStatement(LIST)) {
            list.setString(1, tenant.value());
            list.setString(2, owner.value());
            return readAll(list).stream().map(StoredApiKey::key).toList();
        } catch (SQLException e) {
            throw unavailable("list", e);
        }
    }

    @Override
    public boolean revoke(TenantId tenant, UserId owner, ApiKeyId id, Instant at) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement revoke = connection.prepareStatement(REVOKE)) {
            setInstant(revoke, 1, at);
            revoke.setString(2, tenant.value());
            revoke.setString(3, id.value());
            revoke.setString(4, owner.value());
            return revoke.executeUpdate() == 1;
        } catch (SQLException e) {
            throw unavailable("revoke", e);
        }
    }

    @Override
    public void recordUse(TenantId tenant, ApiKeyId id, Instant at) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement update = connection.prepareStatement(RECORD_USE)) {
            setInstant(update, 1, at);
            update.setString(2, tenant.value());
            update.setString(3, id.value());
            update.executeUpdate();
        } catch (SQLException e) {
            throw unavailable("record use", e);
        }
    }

    private static List<StoredApiKey> readAll(PreparedStatement query) throws SQLException {
        List<StoredApiKey> keys = new ArrayList<>();
        try (ResultSet row = query.executeQuery()) {
            while (row.next()) {
                ApiKey key = new ApiKey(
                        TenantId.of(row.getString(1)),
                        ApiKeyId.of(row.getString(2)),
                        UserId.of(row.getString(3)),
                        scopes(row.getString(4)),
                        instant(row, 5),
                        instant(row, 6),
                        Objects.requireNonNull(instant(row, 7), "created_at is NOT NULL"),
                        instant(row, 8));
                keys.add(new StoredApiKey(key, row.getString(9)));
            }
        }
        return List.copyOf(keys);
    }

    private static Set<String> scopes(String json) {
        try {
            return Set.copyOf(JSON.readValue(json, STRINGS));
        } catch (JacksonException | NullPointerException e) {
            throw new IllegalStateException("a stored API key's scopes are not a JSON array of strings", e);
        }
    }

    private static @Nullable Instant instant(ResultSet row, int column) throws SQLException {
        @Nullable OffsetDateTime value = row.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }

    private static void setInstant(PreparedStatement statement, int index, @Nullable Instant instant)
            throws SQLException {
        if (instant == null) {
            statement.setNull(index, Types.TIMESTAMP_WITH_TIMEZONE);
        } else {
            statement.setObject(index, instant.atOffset(ZoneOffset.UTC));
        }
    }

    /** The message names the operation and SQLState only; the cause stays for diagnosis. */
    private static StoreUnavailableException unavailable(String operation, SQLException e) {
        return new StoreUnavailableException(
                "API key store " + operation + " failed (SQLState " + e.getSQLState() + ")", e);
    }
}
