package dev.latchkey.app;

import dev.latchkey.core.inbound.BearerValidator;
import dev.latchkey.core.tenant.TenantId;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Bearer validations as Prometheus counters: {@code latchkey_inbound_validations_total{tenant,
 * outcome, reason}} and {@code latchkey_inbound_jwks_fetches_total{issuer}}. Labels carry only
 * configured tenant ids and issuers and the validator's fixed reason codes, never request text, so
 * the number of series stays bounded whatever callers send (C9-03).
 */
final class ValidationMetrics implements BearerValidator.Listener {
    private final MeterRegistry registry;
    private final Set<TenantId> tenants;
    private final Set<String> issuers;

    ValidationMetrics(MeterRegistry registry, Set<TenantId> tenants, Set<String> issuers) {
        this.registry = registry;
        this.tenants = Set.copyOf(tenants);
        this.issuers = Set.copyOf(issuers);
    }

    @Override
    public void accepted(TenantId tenant) {
        count(tenant, "accepted", "none");
    }

    @Override
    public void rejected(@Nullable TenantId tenant, String reason) {
        count(tenant, "rejected", reason);
    }

    @Override
    public void unavailable(@Nullable TenantId tenant, String reason) {
        count(tenant, "unavailable", reason);
    }

    @Override
    public void jwksFetched(String issuer) {
        registry.counter("latchkey.inbound.jwks_fetches", "issuer", issuers.contains(issuer) ? issuer : "other")
                .increment();
    }

    @Override
    public void introspected(String issuer) {
        registry.counter("latchkey.inbound.introspections", "issuer", issuers.contains(issuer) ? issuer : "other")
                .increment();
    }

    private void count(@Nullable TenantId tenant, String outcome, String reason) {
        String tenantLabel = tenant != null && tenants.contains(tenant) ? tenant.value() : "none";
        String reasonLabel = reason.matches("[a-z][a-z0-9_]{0,39}") ? reason : "other";
        registry.counter(
                        "latchkey.inbound.validations",
                        "tenant",
                        tenantLabel,
                        "outcome",
                        outcome,
                        "reason",
                        reasonLabel)
                .increment();
    }
}
