package dev.latchkey.app.config;

import static dev.latchkey.app.config.ConfigFixtures.MINIMAL;
import static dev.latchkey.app.config.ConfigFixtures.loader;
import static dev.latchkey.app.config.ConfigFixtures.minimalWith;
import static dev.latchkey.app.config.ConfigFixtures.problems;
import static dev.latchkey.app.config.ConfigFixtures.valid;
import static org.assertj.core.api.Assertions.assertThat;

import dev.latchkey.core.tenant.TenantId;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code identity.roleMapping}, {@code apiKeys.maxFailuresPerMinute} and {@code server.trustForwardedFor}. */
class IdentityAndApiKeyConfigTest {
    private static final String ACME = "tenants.acme.";

    private static TenantConfig acme(String tenantYaml) {
        return valid(loader().loadText(minimalWith(tenantYaml)))
                .tenant(TenantId.of("acme"))
                .orElseThrow();
    }

    @Test
    void roleMapping_listsAndSingleNames_keptInOrderWithoutDuplicates() {
        TenantConfig acme = acme("""
                identity:
                  roleMapping:
                    latchkey-admins: [admin, auditor, admin]
                    "8f2c1e4a-0000-4000-8000-000000000001": operator
                """);

        assertThat(acme.identity().roleMapping())
                .containsExactly(
                        Map.entry("latchkey-admins", List.of("admin", "auditor")),
                        Map.entry("8f2c1e4a-0000-4000-8000-000000000001", List.of("operator")));
    }

    @Test
    void roleMapping_absent_empty() {
        assertThat(acme("identity: { provisioning: jit }").identity().roleMapping())
                .isEmpty();
    }

    @Test
    void roleMapping_invalidEntries_eachReportedAtItsPath() {
        List<ConfigProblem> problems = problems(loader().loadText(minimalWith("""
                identity:
                  roleMapping:
                    admins: []
                    ops: [ "has space" ]
                    eng: { role: x }
                    qa: [ 1 ]
                """)));

        assertThat(problems)
                .containsExactlyInAnyOrder(
                        new ConfigProblem(ACME + "identity.roleMapping.admins", "must list at least one role"),
                        new ConfigProblem(
                                ACME + "identity.roleMapping.ops",
                                "a role is 1-64 characters of A-Z, a-z, 0-9, '_', '.', ':' or '-', starting with a"
                                        + " letter or digit"),
                        new ConfigProblem(
                                ACME + "identity.roleMapping.eng",
                                "expected a role name or a list of role names, got a mapping"),
                        new ConfigProblem(
                                ACME + "identity.roleMapping.qa",
                                "expected a list of role names, got a list containing a number"));
    }

    @Test
    void roleMapping_notAMapping_reported() {
        assertThat(problems(loader().loadText(minimalWith("identity: { roleMapping: [admin] }"))))
                .containsExactly(new ConfigProblem(ACME + "identity.roleMapping", "expected a mapping, got a list"));
    }

    @Test
    void groupsClaim_notAClaimPath_reportedInsteadOfFailingAtStart() {
        assertThat(problems(loader().loadText(minimalWith("identity: { groupsClaim: \"realm_access..roles\" }"))))
                .extracting(ConfigProblem::path)
                .containsExactly(ACME + "identity.groupsClaim");
    }

    @Test
    void maxFailuresPerMinute_defaultSetAndOutOfRange() {
        assertThat(acme("apiKeys: { enabled: true }").apiKeys().maxFailuresPerMinute())
                .isEqualTo(20);
        assertThat(acme("apiKeys: { enabled: true, maxFailuresPerMinute: 5 }")
                        .apiKeys()
                        .maxFailuresPerMinute())
                .isEqualTo(5);
        assertThat(problems(loader().loadText(minimalWith("apiKeys: { enabled: true, maxFailuresPerMinute: 0 }"))))
                .containsExactly(
                        new ConfigProblem(ACME + "apiKeys.maxFailuresPerMinute", "must be between 1 and 100000"));
    }

    @Test
    void trustForwardedFor_defaultFalse_setTrue() {
        assertThat(valid(loader().loadText(MINIMAL)).server().trustForwardedFor())
                .isFalse();
        assertThat(valid(loader().loadText("server: { trustForwardedFor: true }\n" + MINIMAL))
                        .server()
                        .trustForwardedFor())
                .isTrue();
    }
}
