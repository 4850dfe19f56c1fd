package dev.latchkey.app;

import com.nimbusds.jose.JWSAlgorithm;
import dev.latchkey.app.config.IssuerConfig;
import dev.latchkey.app.config.LatchkeyConfig;
import dev.latchkey.app.config.SigningAlgorithm;
import dev.latchkey.app.config.TenantConfig;
import dev.latchkey.core.identity.IdentityPolicy;
import dev.latchkey.core.identity.ServicePolicy;
import dev.latchkey.core.inbound.IntrospectionEndpoint;
import dev.latchkey.core.inbound.IssuerPolicy;
import dev.latchkey.core.tenant.TenantId;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Translates the validated configuration into the core's inbound and identity policies. */
final class InboundPolicies {
    private InboundPolicies() {}

    static Map<TenantId, List<IssuerPolicy>> issuers(LatchkeyConfig config) {
        Map<TenantId, List<IssuerPolicy>> issuers = new LinkedHashMap<>();
        boolean insecureLoopback = config.development().allowInsecureHttp();
        config.tenants()
                .forEach((id, tenant) -> issuers.put(
                        id,
                        tenant.issuers().stream()
                                .map(issuer -> issuer(issuer, insecureLoopback))
                                .toList()));
        return issuers;
    }

    private static IssuerPolicy issuer(IssuerConfig config, boolean insecureLoopback) {
        IssuerPolicy.Builder builder = (config.isTemplate()
                        // {tenantid} is bound to the token's tid, which must be one of these (never any tenant).
                        ? IssuerPolicy.forTemplate(config.issuer(), Set.copyOf(config.allowedTenants()))
                        : IssuerPolicy.forIssuer(config.issuer()))
                .audience(config.audiences().toArray(String[]::new))
                .requiredScopes(config.requiredScopes().toArray(String[]::new))
                .algorithms(config.algorithms().stream()
                        .map(SigningAlgorithm::jwsName)
                        .map(JWSAlgorithm::parse)
                        .toArray(JWSAlgorithm[]::new))
                .clockSkew(config.clockSkew())
                .allowInsecureLoopback(insecureLoopback);
        config.jwksUri().ifPresent(builder::jwksUri);
        config.introspection()
                .ifPresent(introspection -> builder.introspection(new IntrospectionEndpoint(
                        introspection.endpoint(), introspection.clientId(), introspection.clientSecret())));
        return builder.build();
    }

    /** The identity policies; a tenant's group directory (if any) asks with {@code clock}'s time. */
    static Map<TenantId, IdentityPolicy> identities(LatchkeyConfig config, Clock clock) {
        Map<TenantId, IdentityPolicy> policies = new LinkedHashMap<>();
        config.tenants().forEach((id, tenant) -> policies.put(id, identity(tenant, clock)));
        return policies;
    }

    private static IdentityPolicy identity(TenantConfig tenant, Clock clock) {
        IdentityPolicy policy = IdentityPolicy.defaults()
                .withProvisioning(
                        switch (tenant.identity().provisioning()) {
                            case OFF -> IdentityPolicy.Provisioning.OFF;
                            case JIT -> IdentityPolicy.Provisioning.JIT;
                        })
                .withGroupsClaim(tenant.identity().groupsClaim())
                .withServices(tenant.services().stream()
                        .map(service ->
                                ServicePolicy.of(service.id(), service.clientId(), Set.copyOf(service.scopes())))
                        .toList())
                .withApiKeys(tenant.apiKeys().enabled())
                .withRoleMapping(tenant.identity().roleMapping());
        if (tenant.identity().groupDirectory().isPresent()) {
            policy = policy.withGroupOverage(
                    GroupDirectories.of(tenant.identity().groupDirectory().get(), clock));
        }
        // An empty issuer set means: link verified emails from every issuer the tenant trusts.
        return tenant.identity().linkVerifiedEmail() ? policy.withEmailLinking(Set.of()) : policy;
    }

    /** Failed API-key attempts allowed per client and minute, per tenant. */
    static Map<TenantId, Integer> apiKeyFailureLimits(LatchkeyConfig config) {
        Map<TenantId, Integer> limits = new LinkedHashMap<>();
        config.tenants().forEach((id, tenant) -> limits.put(id, tenant.apiKeys().maxFailuresPerMinute()));
        return limits;
    }
}
