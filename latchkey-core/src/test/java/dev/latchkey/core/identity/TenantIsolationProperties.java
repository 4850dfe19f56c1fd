package dev.latchkey.core.identity;

import static org.assertj.core.api.Assertions.assertThat;

import dev.latchkey.core.identity.IdentityPolicy.Provisioning;
import dev.latchkey.core.tenant.TenantId;
import dev.latchkey.core.testing.TestClock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/**
 * Whatever tenants, issuers and subjects arrive (few distinct values, so they collide often), an
 * identity never resolves to a user of another tenant, and one (tenant, issuer, subject) always
 * resolves to the same user while different ones never share a user.
 */
class TenantIsolationProperties {

    record Arrival(String tenant, String issuer, String subject, boolean verifiedEmail) {}

    @Property(tries = 200)
    void resolve_randomArrivals_neverCrossTenantsOrMergeIdentities(
            @ForAll("arrivals") @Size(min = 1, max = 40) List<Arrival> arrivals) {
        InMemoryUserDirectory directory = new InMemoryUserDirectory();
        // Email linking on in every tenant, with one shared address: the strongest pull to merge.
        IdentityPolicy policy =
                IdentityPolicy.defaults().withEmailLinking(Set.of()).withProvisioning(Provisioning.JIT);
        IdentityResolver resolver = new IdentityResolver(
                directory, tenant -> Optional.of(policy), new RecordingAuditLog(), new TestClock());
        Map<ExternalIdentity, UserId> seen = new HashMap<>();
        Map<UserId, TenantId> owners = new HashMap<>();

        for (Arrival arrival : arrivals) {
            TenantId tenant = TenantId.of(arrival.tenant());
            Map<String, Object> claims = arrival.verifiedEmail()
                    ? Map.of("email", "shared@corp.test", "email_verified", true)
                    : Map.of("email", "shared@corp.test");
            Resolution resolution =
                    resolver.resolve(new TokenIdentity(tenant, arrival.issuer(), arrival.subject(), claims, Set.of()));
            if (!(resolution instanceof Resolution.Resolved(Principal principal))) {
                continue;
            }
            assertThat(principal.tenant()).isEqualTo(tenant);
            assertThat(directory.find(tenant, principal.user())).isPresent();
            TenantId owner = owners.putIfAbsent(principal.user(), tenant);
            assertThat(owner == null || owner.equals(tenant)).isTrue();
            ExternalIdentity identity = new ExternalIdentity(tenant, arrival.issuer(), arrival.subject());
            UserId before = seen.putIfAbsent(identity, principal.user());
            assertThat(before == null || before.equals(principal.user())).isTrue();
        }
        seen.forEach((identity, user) -> assertThat(owners.get(user)).isEqualTo(identity.tenant()));
    }

    @Provide
    Arbitrary<List<Arrival>> arrivals() {
        Arbitrary<Arrival> arrival = Combinators.combine(
                        Arbitraries.of("acme", "globex", "initech"),
                        Arbitraries.of("https://idp-a.test", "https://idp-b.test"),
                        Arbitraries.of("1", "12345", "alice", "bob"),
                        Arbitraries.of(true, false))
                .as(Arrival::new);
        return arrival.list();
    }
}
