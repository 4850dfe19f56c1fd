package dev.latchkey.core.tenant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.latchkey.core.grant.ResourceName;
import dev.latchkey.core.identity.UserId;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IdentifiersTest {

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "Acme",
                "-acme",
                "acme\n",
                "acme\r\nX-Injected: 1",
                "ac me",
                "../acme",
                "acme;drop",
                "t\u0000",
                "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcd"
            })
    void tenantId_unsafeText_rejected(String value) {
        assertThatThrownBy(() -> TenantId.of(value))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining(value.isEmpty() ? "\u0001" : value);
    }

    @ParameterizedTest
    @ValueSource(strings = {"acme", "t-a", "tenant_1", "0"})
    void tenantId_plainText_accepted(String value) {
        assertThat(TenantId.of(value).value()).isEqualTo(value);
    }

    @Property
    void tenantId_accepted_isAlwaysSafeForHeadersAndLabels(@ForAll @StringLength(max = 80) String value) {
        try {
            TenantId tenant = TenantId.of(value);
            assertThat(tenant.value()).matches("[a-z0-9_-]{1,63}");
        } catch (IllegalArgumentException rejected) {
            assertThat(value).doesNotMatch("[a-z0-9][a-z0-9_-]{0,62}");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "user\n", "user\u0000", "\u001b[31mred"})
    void userId_controlCharactersOrEmpty_rejected(String value) {
        assertThatThrownBy(() -> UserId.of(value)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "../etc", "a/b", "a b", "a%2fb", ".hidden"})
    void resourceName_pathLikeOrEmpty_rejected(String value) {
        assertThatThrownBy(() -> ResourceName.of(value)).isInstanceOf(IllegalArgumentException.class);
    }
}
