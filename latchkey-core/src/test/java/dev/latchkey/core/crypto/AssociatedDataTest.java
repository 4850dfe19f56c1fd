package dev.latchkey.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import dev.latchkey.core.grant.GrantKey;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

class AssociatedDataTest {

    @Property(tries = 2000)
    void of_differentParts_differentBytes(@ForAll List<String> a, @ForAll List<String> b) {
        AssociatedData left = AssociatedData.of(a.toArray(String[]::new));
        AssociatedData right = AssociatedData.of(b.toArray(String[]::new));

        assertThat(left.equals(right)).isEqualTo(a.equals(b));
    }

    @Property
    void forGrant_boundaryShift_neverCollides(@ForAll("ids") String user, @ForAll("ids") String resource) {
        // "ab"+"c" and "a"+"bc" must not encode alike: parts are length-prefixed.
        GrantKey one = GrantKey.of("t", user + "x", resource);
        GrantKey two = GrantKey.of("t", user, "x" + resource);

        assertThat(AssociatedData.forGrant(one)).isNotEqualTo(AssociatedData.forGrant(two));
    }

    @net.jqwik.api.Provide
    net.jqwik.api.Arbitrary<String> ids() {
        return net.jqwik.api.Arbitraries.strings()
                .alpha()
                .numeric()
                .ofMinLength(1)
                .ofMaxLength(12);
    }
}
