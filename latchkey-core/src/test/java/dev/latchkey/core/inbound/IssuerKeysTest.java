package dev.latchkey.core.inbound;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.RSAKey;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** C1-06, C1-09, C1-10, C1-11 and fail-closed behaviour: how keys are found, refetched and cached. */
class IssuerKeysTest extends ValidatorFixture {
    private static final ValidatorSettings SHORT = new ValidatorSettings(
            Duration.ofMinutes(1),
            Duration.ofSeconds(10),
            Duration.ofMinutes(3),
            Duration.ofSeconds(5),
            64 * 1024,
            1000,
            Duration.ofMinutes(5));

    // C1-06: hostile kids are opaque map keys; no refetch within the cooldown of the first fetch.
    @Test
    void validate_hostileKids_rejectedWithAtMostOneRefetch() throws JOSEException {
        assertValid(validate(A, tokenA()));
        List<String> kids = List.of(
                "../../../../dev/null",
                "/proc/sys/kernel/randomize_va_space",
                "' OR '1'='1",
                "k1\u0000",
                "k1\r\nX-Injected: 1",
                "k".repeat(10_000));
        for (String kid : kids) {
            String token = Tokens.sign(
                    new RSASSASigner(K1),
                    new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(kid).build(),
                    claimsA());

            Validation outcome = validate(A, token);

            assertThat(outcome).isInstanceOf(Validation.Invalid.class);
            assertThat(((Validation.Invalid) outcome).description()).doesNotContain(kid);
        }
        assertThat(jwksHitsA()).isEqualTo(1);
        assertThat(events).noneMatch(event -> event.contains("/proc") || event.contains("OR '1'"));
    }

    // C1-09: a flood of random kids costs one refetch per cooldown and does not disturb valid tokens.
    @Test
    void validate_thousandRandomKids_fetchesAtMostOncePerCooldown() throws JOSEException {
        assertValid(validate(A, tokenA()));
        RSASSASigner signer = new RSASSASigner(K1);
        for (int i = 0; i < 1000; i++) {
            JWSHeader header = new JWSHeader.Builder(JWSAlgorithm.RS256)
                    .keyID(UUID.randomUUID().toString())
                    .build();
            assertInvalid(validate(A, Tokens.sign(signer, header, claimsA())), "unknown_key");
        }
        assertThat(jwksHitsA()).isEqualTo(1);
        assertValid(validate(A, tokenA()));

        clock.advance(ValidatorSettings.defaults().refetchCooldown().plusSeconds(1));
        for (int i = 0; i < 1000; i++) {
            JWSHeader header = new JWSHeader.Builder(JWSAlgorithm.RS256)
                    .keyID(UUID.randomUUID().toString())
                    .build();
            assertInvalid(validate(A, Tokens.sign(signer, header, claimsA())), "unknown_key");
        }
        assertThat(jwksHitsA()).isEqualTo(2);
        assertThat(events.stream().filter(event -> event.equals("fetched " + ISSUER_A)))
                .hasSize(2);
    }

    // C1-10: k1 → k1+k2 → k2.
    @Test
    void validate_signingKeyRotation_followsPublishedKeys() {
        validator = validator(policy -> policy, SHORT);
        RSAKey k2 = Tokens.rsaKey("k2");
        assertValid(validate(A, tokenA()));
        assertThat(jwksHitsA()).isEqualTo(1);

        keysA.publish(K1, k2);
        clock.advance(SHORT.refetchCooldown().plusSeconds(1));
        assertValid(validate(A, Tokens.signRs256(k2, claimsA())));
        assertThat(jwksHitsA()).isEqualTo(2);
        assertValid(validate(A, tokenA()));

        keysA.publish(k2);
        assertValid(validate(A, tokenA()));
        clock.advance(SHORT.keyCacheTtl().plusSeconds(1));
        assertInvalid(validate(A, tokenA()), "unknown_key");
        assertValid(validate(A, Tokens.signRs256(k2, claimsA())));
    }

    // C1-11 (a): no kid, one key.
    @Test
    void validate_noKidSingleKey_verified() throws JOSEException {
        String token = Tokens.sign(new RSASSASigner(K1), new JWSHeader.Builder(JWSAlgorithm.RS256).build(), claimsA());

        assertValid(validate(A, token));
    }

    // C1-11 (b): no kid, keys of mixed types: only keys whose type and algorithm fit are tried.
    @Test
    void validate_noKidMixedKeys_triesOnlyMatchingTypes() throws JOSEException {
        RSAKey other = Tokens.rsaKey("k-other");
        ECKey ec = Tokens.ecKey("k-ec");
        keysA.publish(K1, ec, other);
        JWSHeader noKid = new JWSHeader.Builder(JWSAlgorithm.RS256).build();

        assertValid(validate(A, Tokens.sign(new RSASSASigner(other), noKid, claimsA())));
        assertInvalid(
                validate(A, Tokens.sign(new RSASSASigner(Tokens.rsaKey("x")), noKid, claimsA())), "bad_signature");
        Map<String, Object> claims = claimsA();
        assertValid(
                validate(A, Tokens.signEs256(new ECKey.Builder(ec).keyID(null).build(), claims)));
    }

    @Test
    void validate_keysUnreachableAndNothingCached_unavailableNeverValid() {
        keysA.answerWith(503);

        Validation outcome = validate(A, tokenA());

        assertThat(outcome).isInstanceOfSatisfying(Validation.Unavailable.class, unavailable -> {
            assertThat(unavailable.reason()).isEqualTo("jwks_unavailable");
            assertThat(unavailable.retryAfter()).isPositive();
        });
        assertThat(events).contains("unavailable t-a jwks_unavailable");
    }

    @Test
    void validate_issuerDownWithinOutageTolerance_servesStaleKeysThenFailsClosed() {
        validator = validator(policy -> policy, SHORT);
        assertValid(validate(A, tokenA()));
        keysA.answerWith(503);

        clock.advance(SHORT.keyCacheTtl().plusSeconds(1));
        assertValid(validate(A, tokenA()));

        clock.advance(SHORT.outageTolerance());
        assertThat(validate(A, tokenA())).isInstanceOf(Validation.Unavailable.class);

        keysA.answerWith(200);
        clock.advance(SHORT.refetchCooldown().plusSeconds(1));
        assertValid(validate(A, tokenA()));
    }

    @Test
    void validate_sameTokenTwice_servedFromCacheUntilExpiry() {
        validator = validator(policy -> policy.clockSkew(Duration.ZERO), SHORT);
        Map<String, Object> claims = claimsA();
        claims.put("exp", clock.instant().plus(Duration.ofMinutes(2)).getEpochSecond());
        String token = Tokens.signRs256(K1, claims);
        assertValid(validate(A, token));

        keysA.publish();
        clock.advance(SHORT.keyCacheTtl().plusSeconds(1));
        assertValid(validate(A, token));
        assertInvalid(validate(A, tokenA()), "unknown_key");

        clock.advance(Duration.ofMinutes(1));
        assertInvalid(validate(A, token), "unknown_key");
    }

    @Test
    void validate_cachedTokenWithOtherTenantHint_notServedFromCache() {
        String token = tokenA();
        assertValid(validate(null, token));

        assertInvalid(validate(B, token), "issuer_not_trusted");
    }
}
