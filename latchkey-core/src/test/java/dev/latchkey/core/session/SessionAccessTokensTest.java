package dev.latchkey.core.session;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.PlainHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.latchkey.core.crypto.Keyset;
import dev.latchkey.core.crypto.TinkCipher;
import dev.latchkey.core.identity.UserId;
import dev.latchkey.core.secret.DeploymentSecrets;
import dev.latchkey.core.secret.InMemoryDeploymentSecretStore;
import dev.latchkey.core.secret.Secret;
import dev.latchkey.core.signing.SigningKeys;
import dev.latchkey.core.tenant.TenantId;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import org.junit.jupiter.api.Test;

/**
 * Latchkey's session access tokens verify only when Latchkey signed them for itself, unaltered and
 * unexpired: another deployment's key, {@code alg: none}, HMAC, a wrong {@code typ}, another
 * issuer or an expired token are all refused.
 */
class SessionAccessTokensTest {
    private static final URI ISSUER = URI.create("https://latchkey.example");
    private static final TenantId ACME = TenantId.of("acme");
    private static final UserId ALICE = UserId.of("alice");

    private final Instant now = Instant.parse("2026-11-23T12:00:00Z");
    private final SigningKeys keys = keys();
    private final SessionAccessTokens tokens =
            new SessionAccessTokens(keys, ISSUER, Duration.ofMinutes(5), Clock.fixed(now, ZoneOffset.UTC));

    @Test
    void mintedToken_verifies_withItsTenantUserAndFamily() {
        FamilyId family = FamilyId.random();
        SessionAccessTokens.Minted minted = tokens.mint(ACME, ALICE, family);
        assertThat(tokens.claimsToBeOurs(minted.token())).isTrue();
        assertThat(tokens.verify(minted.token()))
                .hasValue(new SessionAccessTokens.Verified(ACME, ALICE, family, minted.expiresAt()));
        assertThat(minted.expiresAt()).isEqualTo(now.plus(Duration.ofMinutes(5)));
    }

    @Test
    void expiredToken_isRefused() {
        Secret token = tokens.mint(ACME, ALICE, FamilyId.random()).token();
        SessionAccessTokens later = new SessionAccessTokens(
                keys, ISSUER, Duration.ofMinutes(5), Clock.fixed(now.plus(Duration.ofMinutes(6)), ZoneOffset.UTC));
        assertThat(later.verify(token)).isEmpty();
    }

    @Test
    void anotherDeploymentsKey_isRefused() {
        Secret token = new SessionAccessTokens(keys(), ISSUER, Duration.ofMinutes(5), Clock.fixed(now, ZoneOffset.UTC))
                .mint(ACME, ALICE, FamilyId.random())
                .token();
        assertThat(tokens.claimsToBeOurs(token)).isTrue();
        assertThat(tokens.verify(token)).isEmpty();
    }

    @Test
    void forgeries_areRefused() throws Exception {
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer(ISSUER.toString())
                .audience(ISSUER.toString())
                .subject("alice")
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plusSeconds(60)))
                .jwtID("x")
                .claim("tenant", "acme")
                .claim("sid", FamilyId.random().value())
                .build();
        PlainJWT none = new PlainJWT(
                new PlainHeader.Builder().type(new JOSEObjectType("at+jwt")).build(), claims);
        assertThat(tokens.verify(Secret.of(none.serialize()))).isEmpty();

        SignedJWT hmac = new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.HS256)
                        .type(new JOSEObjectType("at+jwt"))
                        .build(),
                claims);
        hmac.sign(new MACSigner("0123456789abcdef0123456789abcdef"));
        assertThat(tokens.verify(Secret.of(hmac.serialize()))).isEmpty();

        SignedJWT wrongType = new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.ES256)
                        .type(JOSEObjectType.JWT)
                        .keyID(keys.keyId())
                        .build(),
                claims);
        wrongType.sign(keys.signer());
        assertThat(tokens.verify(Secret.of(wrongType.serialize()))).isEmpty();

        SignedJWT otherIssuer = new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.ES256)
                        .type(new JOSEObjectType("at+jwt"))
                        .keyID(keys.keyId())
                        .build(),
                new JWTClaimsSet.Builder(claims)
                        .issuer("https://elsewhere.example")
                        .build());
        otherIssuer.sign(keys.signer());
        assertThat(tokens.claimsToBeOurs(Secret.of(otherIssuer.serialize()))).isFalse();
        assertThat(tokens.verify(Secret.of(otherIssuer.serialize()))).isEmpty();

        String minted = tokens.mint(ACME, ALICE, FamilyId.random()).token().reveal();
        String tampered =
                minted.substring(0, minted.lastIndexOf('.') - 4) + "AAAA" + minted.substring(minted.lastIndexOf('.'));
        assertThat(tokens.verify(Secret.of(tampered))).isEmpty();
        assertThat(tokens.claimsToBeOurs(Secret.of("not.a.jwt"))).isFalse();
        assertThat(tokens.verify(Secret.of("x".repeat(5000)))).isEmpty();
    }

    private static SigningKeys keys() {
        try {
            return SigningKeys.load(
                    new DeploymentSecrets(new InMemoryDeploymentSecretStore(), TinkCipher.of(Keyset.generate())));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
