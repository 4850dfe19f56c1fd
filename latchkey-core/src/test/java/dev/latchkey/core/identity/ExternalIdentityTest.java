package dev.latchkey.core.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.latchkey.core.tenant.TenantId;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** C2-12: a bad {@code sub} never becomes an identity, so no user row can be created for it. */
class ExternalIdentityTest {
    private static final TenantId ACME = TenantId.of("acme");

    @ParameterizedTest
    @ValueSource(strings = {"", "nul\u0000inside", "line\nbreak"})
    void tokenIdentity_badSubject_refusedWithoutEchoingIt(String subject) {
        assertThatThrownBy(() -> new TokenIdentity(ACME, "https://idp.test", subject, Map.of(), Set.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .satisfies(e -> {
                    if (!subject.isEmpty()) {
                        assertThat(e.getMessage()).doesNotContain(subject);
                    }
                });
    }

    @Test
    void tokenIdentity_subjectOf256Characters_refused() {
        assertThatThrownBy(() -> new TokenIdentity(ACME, "https://idp.test", "s".repeat(256), Map.of(), Set.of()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(new TokenIdentity(ACME, "https://idp.test", "s".repeat(255), Map.of(), Set.of()).subject())
                .hasSize(255);
    }

    @Test
    void tokenIdentity_emptyIssuer_refused() {
        assertThatThrownBy(() -> new ExternalIdentity(ACME, "", "alice")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void tokenIdentity_toString_omitsClaims() {
        TokenIdentity identity = new TokenIdentity(
                ACME, "https://idp.test", "alice", Map.of("email", "alice@corp.test"), Set.of("openid"));

        assertThat(identity.toString()).contains("alice").doesNotContain("alice@corp.test");
    }

    @Test
    void tokenIdentity_nullClaimValues_dropped() {
        Map<String, Object> claims = new java.util.HashMap<>();
        claims.put("email", null);
        claims.put("name", "Alice");

        assertThat(new TokenIdentity(ACME, "https://idp.test", "alice", claims, Set.of()).claims())
                .containsOnlyKeys("name");
    }
}
