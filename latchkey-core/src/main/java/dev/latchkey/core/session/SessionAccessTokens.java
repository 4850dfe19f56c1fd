package dev.latchkey.core.session;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.ConfigurableJWTProcessor;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import com.nimbusds.oauth2.sdk.id.Identifier;
import dev.latchkey.core.identity.UserId;
import dev.latchkey.core.secret.Secret;
import dev.latchkey.core.signing.SigningKeys;
import dev.latchkey.core.tenant.TenantId;
import java.net.URI;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Optional;
import java.util.Set;

/**
 * The access tokens Latchkey mints for its own sessions: RFC 9068 JWTs ({@code typ: at+jwt}),
 * signed ES256 with the deployment's key (published at {@code /.well-known/jwks.json}), issued by
 * Latchkey's public URL for itself as audience, carrying the tenant, the user ({@code sub}) and the
 * refresh-token family ({@code sid}) so a revoked family recalls them. Thread-safe.
 */
public final class SessionAccessTokens {
    static final String TENANT_CLAIM = "tenant";
    static final String FAMILY_CLAIM = "sid";
    private static final JOSEObjectType TYPE = new JOSEObjectType("at+jwt");
    private static final int MAX_LENGTH = 4096;

    private final SigningKeys keys;
    private final JWSSigner signer;
    private final String issuer;
    private final Duration lifetime;
    private final Clock clock;
    private final ConfigurableJWTProcessor<SecurityContext> processor;

    /**
     * @param issuer Latchkey's public URL: the {@code iss} and {@code aud} of every token
     * @param lifetime how long a minted token is valid
     */
    public SessionAccessTokens(SigningKeys keys, URI issuer, Duration lifetime, Clock clock) {
        this.keys = keys;
        this.signer = keys.signer();
        this.issuer = issuer.toString();
        this.lifetime = lifetime;
        this.clock = clock;
        DefaultJWTProcessor<SecurityContext> jwtProcessor = new DefaultJWTProcessor<>();
        jwtProcessor.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(TYPE));
        jwtProcessor.setJWSKeySelector(
                new JWSVerificationKeySelector<>(JWSAlgorithm.ES256, new ImmutableJWKSet<>(keys.publicKeys())));
        DefaultJWTClaimsVerifier<SecurityContext> claims =
                new DefaultJWTClaimsVerifier<>(
                        this.issuer,
                        new JWTClaimsSet.Builder().issuer(this.issuer).build(),
                        Set.of("sub", "exp", "iat", "jti", TENANT_CLAIM, FAMILY_CLAIM)) {
                    @Override
                    protected Date currentTime() {
                        return Date.from(clock.instant());
                    }
                };
        // Latchkey both issues and checks these: only replica clock drift needs allowing for.
        claims.setMaxClockSkew(5);
        jwtProcessor.setJWTClaimsSetVerifier(claims);
        this.processor = jwtProcessor;
    }

    /** A new access token for the user's session in {@code family}. */
    public Minted mint(TenantId tenant, UserId user, FamilyId family) {
        Instant now = clock.instant();
        Instant expiresAt = now.plus(lifetime);
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer(issuer)
                .audience(issuer)
                .subject(user.value())
                .issueTime(Date.from(now))
                .expirationTime(Date.from(expiresAt))
                .jwtID(new Identifier(16).getValue())
                .claim(TENANT_CLAIM, tenant.value())
                .claim(FAMILY_CLAIM, family.value())
                .build();
        SignedJWT jwt = new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.ES256)
                        .type(TYPE)
                        .keyID(keys.keyId())
                        .build(),
                claims);
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException("the session token cannot be signed", e);
        }
        // JWT NumericDate has second precision: report the expiry the token carries.
        return new Minted(Secret.of(jwt.serialize()), Instant.ofEpochSecond(expiresAt.getEpochSecond()));
    }

    /**
     * Whether the token claims to be one of Latchkey's (its unverified {@code iss} is Latchkey's):
     * such a token is verified here and nowhere else, so a forged one never reaches an IdP's rules.
     */
    public boolean claimsToBeOurs(Secret token) {
        String value = token.reveal();
        if (value.length() > MAX_LENGTH || value.chars().filter(c -> c == '.').count() != 2) {
            return false;
        }
        try {
            return issuer.equals(SignedJWT.parse(value).getJWTClaimsSet().getIssuer());
        } catch (ParseException e) {
            return false;
        }
    }

    /** The verified claims of one of Latchkey's tokens, or empty if it is not valid now. */
    public Optional<Verified> verify(Secret token) {
        if (token.reveal().length() > MAX_LENGTH) {
            return Optional.empty();
        }
        try {
            JWTClaimsSet claims = processor.process(token.reveal(), null);
            return Optional.of(new Verified(
                    TenantId.of(claims.getStringClaim(TENANT_CLAIM)),
                    UserId.of(claims.getSubject()),
                    new FamilyId(claims.getStringClaim(FAMILY_CLAIM)),
                    claims.getExpirationTime().toInstant()));
        } catch (ParseException | BadJOSEException | JOSEException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** A freshly minted token and its expiry (whole seconds, as in the token). */
    public record Minted(Secret token, Instant expiresAt) {}

    /** What a verified token says. */
    public record Verified(TenantId tenant, UserId user, FamilyId family, Instant expiresAt) {}
}
