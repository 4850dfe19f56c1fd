package dev.latchkey.core.inbound;

import static org.assertj.core.api.Assertions.assertThat;

import dev.latchkey.core.tenant.TenantId;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Happy paths against a real issuer: mock-oauth2-server in process, one issuer per tenant, keys
 * found by OIDC discovery (the issuers are plain http on loopback, allowed for development).
 */
class MockIssuerTest {
    private static final TenantId A = TenantId.of("t-a");
    private static final TenantId B = TenantId.of("t-b");
    private static MockOAuth2Server server;

    private final List<String> fetched = Collections.synchronizedList(new ArrayList<>());

    @BeforeAll
    static void startIssuer() throws UnknownHostException {
        server = new MockOAuth2Server();
        server.start(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 0);
    }

    @AfterAll
    static void stopIssuer() {
        server.shutdown();
    }

    private static String issuer(String id) {
        return server.issuerUrl(id).toString();
    }

    private static IssuerPolicy.Builder discovered(String issuerId) {
        return IssuerPolicy.forIssuer(issuer(issuerId)).audience("latchkey-api").allowInsecureLoopback(true);
    }

    private BearerValidator validator(Map<TenantId, List<IssuerPolicy>> policies) {
        return new BearerValidator(policies, Clock.systemUTC(), new BearerValidator.Listener() {
            @Override
            public void jwksFetched(String issuer) {
                fetched.add(issuer);
            }
        });
    }

    private static Validation validate(BearerValidator validator, @Nullable TenantId hint, String token) {
        return validator.validate(hint, Tokens.secret(token));
    }

    @Test
    void validate_tokensOfTwoIssuers_eachResolvedToItsTenantByDiscovery() {
        BearerValidator validator = validator(Map.of(
                A, List.of(discovered("idp-a").build()),
                B, List.of(discovered("idp-b").build())));
        String tokenA = server.issueToken("idp-a", "alice", "latchkey-api", Map.of("scope", "tokens:read"))
                .serialize();
        String tokenB =
                server.issueToken("idp-b", "bob", "latchkey-api", Map.of()).serialize();

        Validation a = validate(validator, null, tokenA);
        Validation b = validate(validator, null, tokenB);

        assertThat(a).isInstanceOfSatisfying(Validation.Valid.class, valid -> {
            assertThat(valid.token().tenant()).isEqualTo(A);
            assertThat(valid.token().subject()).isEqualTo("alice");
            assertThat(valid.token().issuer()).isEqualTo(issuer("idp-a"));
            assertThat(valid.token().scopes()).containsExactly("tokens:read");
        });
        assertThat(b)
                .isInstanceOfSatisfying(
                        Validation.Valid.class,
                        valid -> assertThat(valid.token().tenant()).isEqualTo(B));
        assertThat(validate(validator, B, tokenA)).isInstanceOf(Validation.Invalid.class);
        assertThat(fetched).containsExactlyInAnyOrder(issuer("idp-a"), issuer("idp-b"));
    }

    @Test
    void validate_sameSubjectAtTwoIssuers_keepsIssuersApart() {
        BearerValidator validator = validator(Map.of(
                A, List.of(discovered("idp-a").build(), discovered("idp-a2").build())));
        String first =
                server.issueToken("idp-a", "12345", "latchkey-api", Map.of()).serialize();
        String second =
                server.issueToken("idp-a2", "12345", "latchkey-api", Map.of()).serialize();

        VerifiedToken one = ((Validation.Valid) validate(validator, A, first)).token();
        VerifiedToken two = ((Validation.Valid) validate(validator, A, second)).token();

        assertThat(one.subject()).isEqualTo(two.subject());
        assertThat(one.issuer()).isNotEqualTo(two.issuer());
    }

    @Test
    void validate_wrongAudienceFromRealIssuer_rejected() {
        BearerValidator validator =
                validator(Map.of(A, List.of(discovered("idp-a").build())));
        String token =
                server.issueToken("idp-a", "alice", "another-api", Map.of()).serialize();

        assertThat(validate(validator, A, token))
                .isEqualTo(new Validation.Invalid("audience_mismatch", "The token is not meant for this service."));
    }

    @Test
    void validate_templateBoundToTidOfRealIssuer_onlyAllowlistedDirectories() {
        String template = server.baseUrl().toString() + "{tenantid}";
        IssuerPolicy policy = IssuerPolicy.forTemplate(template, Set.of("dir-1"))
                .audience("latchkey-api")
                .allowInsecureLoopback(true)
                .build();
        BearerValidator validator = validator(Map.of(A, List.of(policy)));
        String allowed = server.issueToken("dir-1", "alice", "latchkey-api", Map.of("tid", "dir-1"))
                .serialize();
        String other = server.issueToken("dir-2", "alice", "latchkey-api", Map.of("tid", "dir-2"))
                .serialize();

        assertThat(validate(validator, null, allowed)).isInstanceOf(Validation.Valid.class);
        assertThat(validate(validator, null, other)).isInstanceOf(Validation.Invalid.class);
        assertThat(fetched).containsExactly(issuer("dir-1"));
    }

    @Test
    void validate_requiredTypeAgainstPlainJwtOfRealIssuer_wrongType() {
        BearerValidator validator = validator(
                Map.of(A, List.of(discovered("idp-a").requiredType("at+jwt").build())));
        String token =
                server.issueToken("idp-a", "alice", "latchkey-api", Map.of()).serialize();

        assertThat(validate(validator, A, token))
                .isInstanceOfSatisfying(
                        Validation.Invalid.class,
                        invalid -> assertThat(invalid.reason()).isEqualTo("wrong_type"));
    }
}
