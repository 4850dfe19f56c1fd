package dev.latchkey.core.inbound;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.RSAKey;
import dev.latchkey.core.tenant.TenantId;
import dev.latchkey.core.testing.TestClock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * Tenant {@code t-a} trusts {@code https://idp-a.test} (RS256 key {@code k1} published by a real
 * loopback key server, audience {@code latchkey-api}); tenant {@code t-b} trusts {@code
 * https://idp-b.test} with its own key server and key. The security-case setup of C1.
 */
abstract class ValidatorFixture {
    static final TenantId A = TenantId.of("t-a");
    static final TenantId B = TenantId.of("t-b");
    static final String ISSUER_A = "https://idp-a.test";
    static final String ISSUER_B = "https://idp-b.test";
    static final RSAKey K1 = Tokens.rsaKey("k1");
    static final RSAKey KB = Tokens.rsaKey("kb");

    final TestClock clock = new TestClock(Instant.parse("2030-01-01T00:00:00Z"));
    final List<String> events = Collections.synchronizedList(new ArrayList<>());
    KeyServer keysA;
    KeyServer keysB;
    BearerValidator validator;

    @BeforeEach
    void startIssuers() {
        keysA = KeyServer.start();
        keysA.publish(K1);
        keysB = KeyServer.start();
        keysB.publish(KB);
        validator = validator(policy -> policy, ValidatorSettings.defaults());
    }

    @AfterEach
    void stopIssuers() {
        keysA.close();
        keysB.close();
    }

    /** A validator whose {@code t-a} policy is adjusted by {@code adjust}. */
    BearerValidator validator(UnaryOperator<IssuerPolicy.Builder> adjust, ValidatorSettings settings) {
        IssuerPolicy a = adjust.apply(IssuerPolicy.forIssuer(ISSUER_A)
                        .jwksUri(keysA.uri(KeyServer.JWKS_PATH))
                        .audience(Tokens.AUDIENCE)
                        .allowInsecureLoopback(true))
                .build();
        IssuerPolicy b = IssuerPolicy.forIssuer(ISSUER_B)
                .jwksUri(keysB.uri(KeyServer.JWKS_PATH))
                .audience(Tokens.AUDIENCE)
                .allowInsecureLoopback(true)
                .build();
        return new BearerValidator(Map.of(A, List.of(a), B, List.of(b)), clock, recordingListener(), settings);
    }

    BearerValidator.Listener recordingListener() {
        return new BearerValidator.Listener() {
            @Override
            public void accepted(TenantId tenant) {
                events.add("accepted " + tenant);
            }

            @Override
            public void rejected(@Nullable TenantId tenant, String reason) {
                events.add("rejected " + tenant + " " + reason);
            }

            @Override
            public void unavailable(@Nullable TenantId tenant, String reason) {
                events.add("unavailable " + tenant + " " + reason);
            }

            @Override
            public void jwksFetched(String issuer) {
                events.add("fetched " + issuer);
            }
        };
    }

    Map<String, Object> claimsA() {
        return Tokens.claims(ISSUER_A, clock.instant());
    }

    String tokenA() {
        return Tokens.signRs256(K1, claimsA());
    }

    Validation validate(@Nullable TenantId hint, String token) {
        return validator.validate(hint, Tokens.secret(token));
    }

    /** Asserts {@code outcome} is Invalid with {@code reason}. */
    static void assertInvalid(Validation outcome, String reason) {
        assertThat(outcome)
                .isInstanceOfSatisfying(
                        Validation.Invalid.class,
                        invalid -> assertThat(invalid.reason()).isEqualTo(reason));
    }

    static VerifiedToken assertValid(Validation outcome) {
        assertThat(outcome).isInstanceOf(Validation.Valid.class);
        return ((Validation.Valid) outcome).token();
    }

    int jwksHitsA() {
        return keysA.hits(KeyServer.JWKS_PATH);
    }
}
