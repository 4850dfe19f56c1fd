package dev.latchkey.app;

import dev.latchkey.app.config.DatabaseConfig;
import dev.latchkey.core.audit.AuditEvent;
import dev.latchkey.core.audit.AuditLog;
import dev.latchkey.core.crypto.Cipher;
import dev.latchkey.core.grant.EncryptedTokenStore;
import dev.latchkey.core.grant.GrantKey;
import dev.latchkey.core.secret.DeploymentSecrets;
import dev.latchkey.store.Database;
import dev.latchkey.store.DatabaseSettings;
import dev.latchkey.store.JdbcAuditLog;
import dev.latchkey.store.JdbcDeploymentSecretStore;
import dev.latchkey.store.JdbcSealedTokenStore;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.Map;

/**
 * The database and what is built on it: the encrypted token store, the deployment's sealed
 * secrets and the audit log. Used by the server and by maintenance commands such as {@code
 * latchkey keys reseal}.
 */
public final class Storage implements AutoCloseable {
    private final Database database;
    private final EncryptedTokenStore tokens;
    private final DeploymentSecrets secrets;
    private final AuditLog audit;

    private Storage(Database database, EncryptedTokenStore tokens, DeploymentSecrets secrets, AuditLog audit) {
        this.database = database;
        this.tokens = tokens;
        this.secrets = secrets;
        this.audit = audit;
    }

    /**
     * Opens the database, running its migrations.
     *
     * @throws dev.latchkey.store.DatabaseUnavailableException if it cannot be reached or migrated
     */
    public static Storage open(DatabaseConfig config, Cipher cipher, MeterRegistry metrics, Clock clock) {
        Database database = Database.open(settings(config));
        AuditLog audit = new JdbcAuditLog(database.dataSource());
        EncryptedTokenStore tokens = new EncryptedTokenStore(
                new JdbcSealedTokenStore(database.dataSource()), cipher, new StoreEvents(audit, metrics, clock));
        DeploymentSecrets secrets = new DeploymentSecrets(new JdbcDeploymentSecretStore(database.dataSource()), cipher);
        return new Storage(database, tokens, secrets, audit);
    }

    static DatabaseSettings settings(DatabaseConfig config) {
        DatabaseSettings settings = DatabaseSettings.of(config.url()).withPoolSize(config.poolSize());
        return config.user().isPresent()
                ? settings.withCredentials(
                        config.user().get(), config.password().orElse(null))
                : settings;
    }

    public Database database() {
        return database;
    }

    public EncryptedTokenStore tokens() {
        return tokens;
    }

    /** The deployment's own secrets (the API key pepper), sealed in the database. */
    public DeploymentSecrets secrets() {
        return secrets;
    }

    public AuditLog audit() {
        return audit;
    }

    @Override
    public void close() {
        database.close();
    }

    /** Reports the token store's events to the audit log and to metrics. */
    static final class StoreEvents implements EncryptedTokenStore.Listener {
        private final AuditLog audit;
        private final MeterRegistry metrics;
        private final Clock clock;

        StoreEvents(AuditLog audit, MeterRegistry metrics, Clock clock) {
            this.audit = audit;
            this.metrics = metrics;
            this.clock = clock;
        }

        @Override
        public void unreadable(GrantKey key, String reason) {
            metrics.counter("latchkey.token_store.unreadable", "reason", reason).increment();
            audit.record(new AuditEvent(
                    clock.instant(),
                    key.tenant(),
                    "latchkey",
                    "token_set.read",
                    reason,
                    Map.of(
                            "user",
                            key.user().value(),
                            "resource",
                            key.resource().value())));
        }

        @Override
        public void resealed(GrantKey key) {
            metrics.counter("latchkey.token_store.resealed").increment();
        }
    }
}
