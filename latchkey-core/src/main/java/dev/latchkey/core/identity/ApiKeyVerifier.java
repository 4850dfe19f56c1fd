package dev.latchkey.core.identity;

import dev.latchkey.core.secret.Secret;
import dev.latchkey.core.tenant.TenantId;

/** Checks a presented API key of a tenant. {@link ApiKeys} is the implementation. */
@FunctionalInterface
public interface ApiKeyVerifier {

    /** A verifier for deployments without API keys: every key is refused as disabled. */
    ApiKeyVerifier DISABLED =
            (tenant, presented) -> new ApiKeyAuthentication.Refused(ApiKeyAuthentication.Reason.DISABLED);

    ApiKeyAuthentication authenticate(TenantId tenant, Secret presented);
}
