package dev.latchkey.app.config;

import dev.latchkey.core.tenant.TenantId;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The whole, validated configuration of one Latchkey process. Built only by {@link ConfigLoader},
 * which guarantees every rule of {@code docs/configuration.md}; immutable and safe to share between
 * threads. Tenants keep the order of the file.
 */
public record LatchkeyConfig(
        ServerConfig server,
        DatabaseConfig database,
        KeysConfig keys,
        DevelopmentConfig development,
        LoggingConfig logging,
        RefreshConfig refresh,
        SessionsConfig sessions,
        Map<TenantId, TenantConfig> tenants) {

    /** Copies the tenants, keeping their order, and rejects an empty set. */
    public LatchkeyConfig {
        if (tenants.isEmpty()) {
            throw new IllegalArgumentException("at least one tenant is required");
        }
        tenants = Collections.unmodifiableMap(new LinkedHashMap<>(tenants));
    }

    /** The tenant with this id, if configured. */
    public Optional<TenantConfig> tenant(TenantId id) {
        return Optional.ofNullable(tenants.get(id));
    }

    /**
     * The effective configuration (defaults filled in, interpolation and overrides applied) as YAML,
     * with every secret shown as {@code ****}; what {@code latchkey check-config --print} shows.
     */
    public String describe() {
        return ConfigPrinter.toYaml(this);
    }
}
