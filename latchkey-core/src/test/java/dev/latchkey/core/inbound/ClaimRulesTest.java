package dev.latchkey.core.inbound;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.RSAKey;
import dev.latchkey.core.tenant.TenantId;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** C1-16, C1-18, C1-19, scopes and roles, the Entra multi-tenant template, tenant resolution. */
class ClaimRulesTest extends ValidatorFixture {

    // C1-16: issuer compared as an exact string.
    @ParameterizedTest
    @ValueSource(
            strings = {"https://idp-a.test/", "HTTPS://IDP-A.TEST", "https://idp-a.test:443", "https://idp-a.test "})
    void validate_issuerSpelledDifferently_notTrusted(String issuer) {
        Map<String, Object> claims = claimsA();
        claims.put("iss", issuer);
        String token = Tokens.signRs256(K1, claims);

        assertInvalid(validate(A, token), "issuer_not_trusted");
        assertInvalid(validate(null, token), "issuer_not_trusted");
    }

    @Test
    void validate_otherTenantsIssuerSignedWithOwnKey_rejected() {
        Map<String, Object> claims = claimsA();
        claims.put("iss", ISSUER_B);
        String token = Tokens.signRs256(K1, claims);

        assertThat(validate(null, token)).isInstanceOf(Validation.Invalid.class);
        assertThat(validate(B, token)).isInstanceOf(Validation.Invalid.class);
        assertInvalid(validate(A, token), "issuer_not_trusted");
    }

    @Test
    void validate_tokenOfTenantAWithHintB_notTrusted() {
        String token = tokenA();

        assertInvalid(validate(B, token), "issuer_not_trusted");
        assertThat(assertValid(validate(A, token)).tenant()).isEqualTo(A);
        assertThat(assertValid(validate(null, token)).tenant()).isEqualTo(A);
        assertInvalid(validate(TenantId.of("t-unknown"), token), "unknown_tenant");
    }

    @Test
    void validate_issuerTrustedByTwoTenantsWithoutHint_ambiguous() {
        IssuerPolicy shared = IssuerPolicy.forIssuer(ISSUER_A)
                .jwksUri(keysA.uri(KeyServer.JWKS_PATH))
                .audience(Tokens.AUDIENCE)
                .allowInsecureLoopback(true)
                .build();
        validator = new BearerValidator(Map.of(A, List.of(shared), B, List.of(shared)), clock, recordingListener());
        String token = tokenA();

        assertInvalid(validate(null, token), "ambiguous_tenant");
        assertThat(assertValid(validate(B, token)).tenant()).isEqualTo(B);
        assertThat(assertValid(validate(A, token)).tenant()).isEqualTo(A);
    }

    // C1-18: aud must contain the configured audience exactly.
    @Test
    void validate_audienceForms_onlyExactMemberAccepted() {
        Map<String, Object> missing = claimsA();
        missing.remove("aud");
        assertInvalid(validate(A, Tokens.signRs256(K1, missing)), "audience_mismatch");
        for (Object audience :
                List.of("other-api", List.of("other-api", "more"), "latchkey-api ", List.of(), List.of(1, 2))) {
            Map<String, Object> claims = claimsA();
            claims.put("aud", audience);
            assertInvalid(validate(A, Tokens.signRs256(K1, claims)), "audience_mismatch");
        }
        Map<String, Object> array = claimsA();
        array.put("aud", List.of("latchkey-api", "other"));

        assertThat(assertValid(validate(A, Tokens.signRs256(K1, array))).audiences())
                .containsExactly("latchkey-api", "other");
    }

    // C1-19: time claims with a 60 s leeway.
    @Test
    void validate_timeClaims_checkedWithSkew() {
        long now = clock.instant().getEpochSecond();
        assertInvalid(validate(A, withClaim("exp", now - 61)), "expired");
        assertInvalid(validate(A, withClaim("nbf", now + 61)), "not_yet_valid");
        assertInvalid(validate(A, withClaim("iat", now + 61)), "issued_in_future");
        assertInvalid(validate(A, withClaim("exp", "9999999999")), "malformed_claims");
        assertInvalid(validate(A, withClaim("exp", 1.9e9)), "malformed_claims");
        assertInvalid(validate(A, withClaim("nbf", "0")), "malformed_claims");
        Map<String, Object> noExpiry = claimsA();
        noExpiry.remove("exp");
        assertInvalid(validate(A, Tokens.signRs256(K1, noExpiry)), "missing_exp");

        assertValid(validate(A, withClaim("exp", now - 30)));
        assertValid(validate(A, withClaim("nbf", now + 30)));
    }

    @Test
    void validate_expiryPassesWhileCached_notServedFromCache() {
        String token = withClaim("exp", clock.instant().getEpochSecond() + 10);
        assertValid(validate(A, token));

        clock.advance(Duration.ofSeconds(71));

        assertInvalid(validate(A, token), "expired");
    }

    @Test
    void validate_subjectForms_onlyPrintableStringsUpTo255() {
        assertInvalid(validate(A, withClaim("sub", "")), "invalid_subject");
        assertInvalid(validate(A, withClaim("sub", 12345)), "invalid_subject");
        assertInvalid(validate(A, withClaim("sub", "a".repeat(256))), "invalid_subject");
        assertInvalid(validate(A, withClaim("sub", "ali\u0000ce")), "invalid_subject");
        Map<String, Object> noSubject = claimsA();
        noSubject.remove("sub");
        assertInvalid(validate(A, Tokens.signRs256(K1, noSubject)), "invalid_subject");

        assertThat(assertValid(validate(A, withClaim("sub", "a".repeat(255)))).subject())
                .hasSize(255);
    }

    // C1-22 (the validator's half): exact scope tokens from scope or scp; the composer enforces them.
    @Test
    void validate_scopeForms_exposedAsExactTokens() {
        assertThat(scopesOf("scope", "tokens:readx xtokens:read  tokens:write"))
                .containsExactlyInAnyOrder("tokens:readx", "xtokens:read", "tokens:write");
        assertThat(scopesOf("scp", "tokens:read")).containsExactly("tokens:read");
        assertThat(scopesOf("scp", List.of("tokens:read", 7, "tokens:write")))
                .containsExactlyInAnyOrder("tokens:read", "tokens:write");
        assertThat(scopesOf("scope", List.of("tokens:read"))).containsExactly("tokens:read");

        VerifiedToken token = assertValid(validate(A, withClaim("scope", "tokens:readx")));
        assertThat(token.missingScopes(Set.of("tokens:read"))).containsExactly("tokens:read");
        assertThat(token.claims()).containsEntry("scope", "tokens:readx");
    }

    @Test
    void validate_policyRequiresScopesAndRoles_reportedAsMissing() {
        validator = validator(
                policy -> policy.requiredScopes("latchkey").requiredRoles("Agent.Invoke"),
                ValidatorSettings.defaults());
        Map<String, Object> claims = claimsA();
        claims.put("scope", "tokens:read");
        claims.put("roles", List.of("Reader"));

        VerifiedToken token = assertValid(validate(A, Tokens.signRs256(K1, claims)));

        assertThat(token.missingScopes(Set.of("tokens:read"))).containsExactly("latchkey");
        assertThat(token.missingRoles()).containsExactly("Agent.Invoke");
        assertThat(token.roles()).containsExactly("Reader");
    }

    // Entra multi-tenant: {tenantid} bound to tid, and tid on the allowlist.
    @Test
    void validate_entraTemplate_onlyAllowlistedDirectoryTenants() {
        RSAKey entraKey = Tokens.rsaKey("entra");
        keysB.publish(entraKey);
        String template = "https://login.microsoftonline.com/{tenantid}/v2.0";
        IssuerPolicy entra = IssuerPolicy.forTemplate(template, Set.of("11111111-aaaa", "22222222-bbbb"))
                .jwksUri(keysB.uri(KeyServer.JWKS_PATH))
                .audience(Tokens.AUDIENCE)
                .allowInsecureLoopback(true)
                .build();
        validator = new BearerValidator(Map.of(A, List.of(entra)), clock, recordingListener());

        VerifiedToken token = assertValid(validate(null, entraToken(entraKey, "11111111-aaaa", "11111111-aaaa")));
        assertThat(token.issuer()).isEqualTo("https://login.microsoftonline.com/11111111-aaaa/v2.0");
        assertThat(token.tenant()).isEqualTo(A);
        assertInvalid(validate(A, entraToken(entraKey, "33333333-cccc", "33333333-cccc")), "issuer_not_trusted");
        assertInvalid(validate(A, entraToken(entraKey, "33333333-cccc", "11111111-aaaa")), "issuer_not_trusted");
        assertInvalid(validate(A, entraToken(entraKey, "11111111-aaaa", "22222222-bbbb")), "issuer_not_trusted");
        assertInvalid(validate(A, entraToken(entraKey, "11111111-aaaa", null)), "issuer_not_trusted");
        assertInvalid(validate(A, entraToken(entraKey, "common", "common")), "issuer_not_trusted");
    }

    private String entraToken(RSAKey key, String issuerTenant, @Nullable String tid) {
        Map<String, Object> claims =
                Tokens.claims("https://login.microsoftonline.com/" + issuerTenant + "/v2.0", clock.instant());
        if (tid != null) {
            claims.put("tid", tid);
        }
        return Tokens.signRs256(key, claims);
    }

    private Set<String> scopesOf(String claim, Object value) {
        Map<String, Object> claims = claimsA();
        claims.remove("scope");
        claims.put(claim, value);
        return assertValid(validate(A, Tokens.signRs256(K1, claims))).scopes();
    }

    private String withClaim(String name, Object value) {
        Map<String, Object> claims = claimsA();
        claims.put(name, value);
        return Tokens.signRs256(K1, claims);
    }
}
