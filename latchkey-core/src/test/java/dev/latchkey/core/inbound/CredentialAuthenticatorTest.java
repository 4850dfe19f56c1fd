package dev.latchkey.core.inbound;

import static org.assertj.core.api.Assertions.assertThat;

import dev.latchkey.core.identity.ApiKeyAuthentication;
import dev.latchkey.core.identity.ApiKeyVerifier;
import dev.latchkey.core.identity.IdentityPolicies;
import dev.latchkey.core.identity.IdentityPolicy;
import dev.latchkey.core.identity.IdentityResolver;
import dev.latchkey.core.identity.InMemoryUserDirectory;
import dev.latchkey.core.identity.Principal;
import dev.latchkey.core.identity.RecordingAuditLog;
import dev.latchkey.core.identity.UserId;
import dev.latchkey.core.secret.Secret;
import dev.latchkey.core.tenant.TenantId;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The composition of validation, identity resolution and API keys, against a real issuer
 * (mock-oauth2-server); the user directory and the API key check are the ports' edges.
 */
class CredentialAuthenticatorTest {
    private static final TenantId JIT = TenantId.of("jit");
    private static final TenantId CLOSED = TenantId.of("closed");
    private static MockOAuth2Server issuer;

    private final AtomicInteger apiKeyChecks = new AtomicInteger();
    private final Principal keyOwner =
            new Principal(JIT, UserId.of("owner"), Principal.Kind.API_KEY, null, Set.of(), Set.of("tokens:read"));

    @BeforeAll
    static void startIssuer() throws UnknownHostException {
        issuer = new MockOAuth2Server();
        issuer.start(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 0);
    }

    @AfterAll
    static void stopIssuer() {
        issuer.shutdown();
    }

    private CredentialAuthenticator authenticator() {
        Map<TenantId, List<IssuerPolicy>> issuers = Map.of(
                JIT, List.of(policy("jit")),
                CLOSED, List.of(policy("closed")));
        IdentityPolicies identities = IdentityPolicies.of(Map.of(
                JIT, IdentityPolicy.defaults().withProvisioning(IdentityPolicy.Provisioning.JIT),
                CLOSED, IdentityPolicy.defaults()));
        ApiKeyVerifier apiKeys = (tenant, presented) -> {
            apiKeyChecks.incrementAndGet();
            return presented.reveal().equals("lk_good_key_value_0123456789")
                    ? new ApiKeyAuthentication.Authenticated(keyOwner)
                    : new ApiKeyAuthentication.Refused(ApiKeyAuthentication.Reason.UNKNOWN);
        };
        return new CredentialAuthenticator(
                new BearerValidator(issuers, Clock.systemUTC(), BearerValidator.Listener.NONE),
                new IdentityResolver(
                        new InMemoryUserDirectory(), identities, new RecordingAuditLog(), Clock.systemUTC()),
                apiKeys);
    }

    private static IssuerPolicy policy(String id) {
        return IssuerPolicy.forIssuer(issuer.issuerUrl(id).toString())
                .audience("latchkey")
                .allowInsecureLoopback(true)
                .build();
    }

    private static Secret token(String issuerId, String subject, String scope) {
        return Secret.of(issuer.issueToken(issuerId, subject, "latchkey", Map.of("scope", scope))
                .serialize());
    }

    @Test
    void authenticate_noCredentials_noCredentials() {
        assertThat(authenticator().authenticate(new Credentials(null, null, null), Set.of()))
                .isInstanceOf(AuthOutcome.NoCredentials.class);
    }

    @Test
    void authenticate_validTokenOfJitTenant_provisionsUserWithTokenScopes() {
        AuthOutcome outcome = authenticator()
                .authenticate(new Credentials(null, token("jit", "alice", "openid tokens:read"), null), Set.of());

        assertThat(outcome).isInstanceOfSatisfying(AuthOutcome.Authenticated.class, authenticated -> {
            assertThat(authenticated.principal().tenant()).isEqualTo(JIT);
            assertThat(authenticated.principal().kind()).isEqualTo(Principal.Kind.USER);
            assertThat(authenticated.principal().scopes()).contains("tokens:read");
        });
    }

    @Test
    void authenticate_missingEndpointScope_insufficientScopeNamingIt() {
        AuthOutcome outcome = authenticator()
                .authenticate(new Credentials(null, token("jit", "bob", "openid"), null), Set.of("tokens:read"));

        assertThat(outcome).isEqualTo(new AuthOutcome.InsufficientScope(Set.of("tokens:read")));
    }

    @Test
    void authenticate_validTokenOfUnknownUserWithoutProvisioning_forbiddenNotAuthenticated() {
        AuthOutcome outcome =
                authenticator().authenticate(new Credentials(null, token("closed", "carol", "openid"), null), Set.of());

        assertThat(outcome).isInstanceOf(AuthOutcome.Forbidden.class);
    }

    @Test
    void authenticate_tokenOfOneTenantWithOtherTenantsHint_rejected() {
        AuthOutcome outcome =
                authenticator().authenticate(new Credentials(CLOSED, token("jit", "alice", "openid"), null), Set.of());

        assertThat(outcome).isInstanceOf(AuthOutcome.Rejected.class);
    }

    @Test
    void authenticate_garbageToken_rejectedWithoutApiKeyCheck() {
        AuthOutcome outcome =
                authenticator().authenticate(new Credentials(null, Secret.of("not.a.token"), null), Set.of());

        assertThat(outcome).isInstanceOf(AuthOutcome.Rejected.class);
        assertThat(apiKeyChecks).hasValue(0);
    }

    @Test
    void authenticate_apiKeyWithoutTenant_malformedAndNotLookedUp() {
        AuthOutcome outcome = authenticator()
                .authenticate(new Credentials(null, null, Secret.of("lk_good_key_value_0123456789")), Set.of());

        assertThat(outcome).isInstanceOf(AuthOutcome.Malformed.class);
        assertThat(apiKeyChecks).hasValue(0);
    }

    @Test
    void authenticate_apiKey_goodAuthenticatesUnknownRejectsScopeChecked() {
        CredentialAuthenticator authenticator = authenticator();

        assertThat(authenticator.authenticate(
                        new Credentials(JIT, null, Secret.of("lk_good_key_value_0123456789")), Set.of("tokens:read")))
                .isEqualTo(new AuthOutcome.Authenticated(keyOwner));
        assertThat(authenticator.authenticate(
                        new Credentials(JIT, null, Secret.of("lk_good_key_value_0123456789")), Set.of("admin")))
                .isEqualTo(new AuthOutcome.InsufficientScope(Set.of("admin")));
        assertThat(authenticator.authenticate(
                        new Credentials(JIT, null, Secret.of("lk_other_key_value_012345678")), Set.of()))
                .isInstanceOf(AuthOutcome.Rejected.class);
    }

    @Test
    void authenticate_apiKeysDisabled_forbiddenWithLatchkeyCode() {
        CredentialAuthenticator authenticator = new CredentialAuthenticator(
                new BearerValidator(Map.of(), Clock.systemUTC(), BearerValidator.Listener.NONE),
                new IdentityResolver(
                        new InMemoryUserDirectory(),
                        IdentityPolicies.of(Map.of()),
                        new RecordingAuditLog(),
                        Clock.systemUTC()),
                ApiKeyVerifier.DISABLED);

        assertThat(authenticator.authenticate(
                        new Credentials(JIT, null, Secret.of("lk_any_key_value_0123456789")), Set.of()))
                .isEqualTo(new AuthOutcome.Forbidden("api_keys_disabled", "API keys are turned off for this tenant"));
    }
}
