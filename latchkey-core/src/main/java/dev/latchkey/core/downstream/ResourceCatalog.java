package dev.latchkey.core.downstream;

import dev.latchkey.core.grant.ResourceName;
import dev.latchkey.core.tenant.TenantId;
import java.time.Duration;

/** The resources of each tenant that users connect interactively, resolved for use. Thread-safe. */
public interface ResourceCatalog {

    /** The resource {@code name} of {@code tenant}, resolving its authorization server if needed. */
    Lookup find(TenantId tenant, ResourceName name);

    /** What a lookup found. */
    sealed interface Lookup {

        /** A usable resource. */
        record Known(ResourceClient resource) implements Lookup {}

        /** The tenant has no resource of that name. */
        record Unknown() implements Lookup {}

        /**
         * The resource exists but does not hand out stored grants (it is configured for token
         * exchange).
         */
        record NotConnectable() implements Lookup {}

        /**
         * The resource's authorization server cannot be resolved now (discovery failed).
         *
         * @param reason a short machine-readable reason
         */
        record Unavailable(String reason, Duration retryAfter) implements Lookup {}
    }
}
