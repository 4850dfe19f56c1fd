package dev.latchkey.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.latchkey.core.identity.Principal;
import dev.latchkey.core.identity.UserId;
import dev.latchkey.core.inbound.AuthOutcome;
import dev.latchkey.core.inbound.Authenticator;
import dev.latchkey.core.inbound.Credentials;
import dev.latchkey.core.tenant.TenantId;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The HTTP side of authentication; the authenticator is the core port's edge, scripted per test. */
class AuthRoutesTest {
    private static final Principal ALICE = new Principal(
            TenantId.of("acme"),
            UserId.of("alice"),
            Principal.Kind.USER,
            "alice@example.com",
            Set.of("admins", "a,b"),
            Set.of("tokens:read", "proxy"));

    private final AtomicReference<AuthOutcome> next = new AtomicReference<>(new AuthOutcome.Authenticated(ALICE));
    private final List<Credentials> seen = new CopyOnWriteArrayList<>();
    private final Authenticator authenticator = (credentials, scopes) -> {
        seen.add(credentials);
        return next.get();
    };

    @SuppressWarnings("NullAway.Init") // set in @BeforeEach
    private TestServer server;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @BeforeEach
    void start() {
        server = TestServer.start(builder -> builder.routes(new AuthRoutes(authenticator, registry)));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private HttpResponse<String> verify(String... headers) {
        var request = server.request("/v1/auth/verify").GET();
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return server.send(request.build());
    }

    @Test
    void verify_authenticated_answersIdentityHeadersAndJson() {
        HttpResponse<String> response = verify("Authorization", "Bearer abc.def.ghi", "X-Tenant-Id", "acme");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("X-Latchkey-Tenant")).hasValue("acme");
        assertThat(response.headers().firstValue("X-Latchkey-User")).hasValue("alice");
        assertThat(response.headers().firstValue("X-Latchkey-Email")).hasValue("alice@example.com");
        assertThat(response.headers().firstValue("X-Latchkey-Groups")).hasValue("a%2Cb,admins");
        assertThat(response.headers().firstValue("X-Latchkey-Scopes")).hasValue("proxy tokens:read");
        assertThat(response.body()).contains("\"user\":\"alice\"").contains("\"kind\":\"user\"");
        assertThat(seen.getFirst().tenant()).contains(TenantId.of("acme"));
        assertThat(seen.getFirst().bearerToken().orElseThrow().reveal()).isEqualTo("abc.def.ghi");
    }

    @Test
    void verify_lowercaseScheme_accepted() {
        assertThat(verify("Authorization", "bearer abc").statusCode()).isEqualTo(200);
    }

    @Test
    void verify_noCredentials_bareChallengeWithoutErrorCode() {
        next.set(new AuthOutcome.NoCredentials());

        HttpResponse<String> response = verify();

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"latchkey\"");
    }

    @Test
    void verify_rejected_invalidTokenChallenge() {
        next.set(new AuthOutcome.Rejected("expired", "the token has expired"));

        HttpResponse<String> response = verify("Authorization", "Bearer abc");

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue("WWW-Authenticate").orElseThrow())
                .startsWith("Bearer")
                .contains("realm=\"latchkey\"")
                .contains("error=\"invalid_token\"")
                .contains("error_description=\"the token has expired\"");
        assertThat(response.body()).contains("\"error\":\"invalid_token\"").doesNotContain("abc");
        assertThat(registry.get("latchkey.auth.outcomes")
                        .tag("reason", "expired")
                        .counter()
                        .count())
                .isEqualTo(1.0);
    }

    @Test
    void verify_insufficientScope_forbiddenNamingScope() {
        next.set(new AuthOutcome.InsufficientScope(Set.of("tokens:read")));

        HttpResponse<String> response = verify("Authorization", "Bearer abc");

        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(response.headers().firstValue("WWW-Authenticate").orElseThrow())
                .contains("error=\"insufficient_scope\"")
                .contains("scope=\"tokens:read\"");
    }

    @Test
    void verify_unavailable_retryable503() {
        next.set(new AuthOutcome.Unavailable(Duration.ofSeconds(7), "jwks_unavailable"));

        HttpResponse<String> response = verify("Authorization", "Bearer abc");

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.headers().firstValue("Retry-After")).hasValue("7");
        assertThat(response.body()).contains("temporarily_unavailable").contains("\"retryable\":true");
    }

    @Test
    void verify_malformedRequests_invalidRequestWithoutCallingTheCore() {
        List<HttpResponse<String>> responses = List.of(
                verify("Authorization", "Basic dXNlcjpwYXNz"),
                verify("Authorization", "Bearer"),
                verify("Authorization", "Bearer a b"),
                verify("Authorization", "Bearer abc", "Authorization", "Bearer def"),
                verify("Authorization", "Bearer abc", "X-Api-Key", "lk_abcdefghijklmnopqrstuvwxyz"),
                verify("X-Tenant-Id", "ACME"),
                verify("X-Tenant-Id", "../other"),
                verify("X-Api-Key", "short"),
                server.send(
                        server.request("/v1/auth/verify?access_token=abc").GET().build()));

        assertThat(responses).allSatisfy(response -> {
            assertThat(response.statusCode()).isEqualTo(400);
            assertThat(response.headers().firstValue("WWW-Authenticate").orElseThrow())
                    .contains("error=\"invalid_request\"");
        });
        assertThat(seen).isEmpty();
    }

    @Test
    void verify_claimWithLineBreak_cannotInjectHeader() {
        next.set(new AuthOutcome.Authenticated(new Principal(
                TenantId.of("acme"),
                UserId.of("u"),
                Principal.Kind.USER,
                "a@b.c\r\nX-Injected: 1",
                Set.of(),
                Set.of())));

        HttpResponse<String> response = verify("Authorization", "Bearer abc");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("X-Injected")).isEmpty();
        assertThat(response.headers().firstValue("X-Latchkey-Email")).hasValue("a@b.c%0D%0AX-Injected: 1");
    }

    @Test
    void me_authenticated_answersIdentity() {
        HttpResponse<String> response = server.send(server.request("/v1/me")
                .header("Authorization", "Bearer abc")
                .GET()
                .build());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"tenant\":\"acme\"").contains("\"email\":\"alice@example.com\"");
    }

    @Test
    void verify_reasonOutsideFixedCodes_foldedInMetrics() {
        next.set(new AuthOutcome.Rejected("Weird Reason With Spaces", "x"));

        verify("Authorization", "Bearer abc");

        assertThat(registry.get("latchkey.auth.outcomes")
                        .tag("reason", "other")
                        .counter()
                        .count())
                .isEqualTo(1.0);
    }

    @Test
    void verify_tooManyAttempts_429WithRetryAfterRoundedUpAndNoChallenge() {
        next.set(new AuthOutcome.TooManyAttempts(Duration.ofMillis(41_200)));

        HttpResponse<String> response = verify("X-Api-Key", "lk_abcdefghijklmnopqrstuvwxyz", "X-Tenant-Id", "acme");

        assertThat(response.statusCode()).isEqualTo(429);
        assertThat(response.headers().firstValue("Retry-After")).hasValue("42");
        assertThat(response.headers().firstValue("WWW-Authenticate")).isEmpty();
        assertThat(response.body()).isEqualTo("{\"error\":\"too_many_requests\"}");
        assertThat(registry.get("latchkey.auth.outcomes")
                        .tag("outcome", "too_many_requests")
                        .tag("reason", "api_key_bruteforce")
                        .counter()
                        .count())
                .isEqualTo(1.0);
    }

    @Test
    void verify_principalWithRoles_rolesHeaderAndJson() {
        next.set(new AuthOutcome.Authenticated(new Principal(
                TenantId.of("acme"),
                UserId.of("alice"),
                Principal.Kind.USER,
                null,
                Set.of("latchkey-admins"),
                Set.of(),
                Set.of("auditor", "admin"))));

        HttpResponse<String> response = verify("Authorization", "Bearer abc");

        assertThat(response.headers().firstValue("X-Latchkey-Roles")).hasValue("admin,auditor");
        assertThat(response.body()).contains("\"roles\":[\"admin\",\"auditor\"]");
    }

    @Test
    void verifyAndMe_principalWithoutRoles_emptyRolesHeaderAndList() {
        HttpResponse<String> verified = verify("Authorization", "Bearer abc");
        HttpResponse<String> me = server.send(server.request("/v1/me")
                .header("Authorization", "Bearer abc")
                .GET()
                .build());

        assertThat(verified.headers().firstValue("X-Latchkey-Roles")).hasValue("");
        assertThat(verified.body()).contains("\"roles\":[]");
        assertThat(me.body()).contains("\"roles\":[]").contains("\"groups\":[\"a,b\",\"admins\"]");
    }

    @Test
    void credentials_carryTheSocketPeerAsClient_ignoringForwardedForByDefault() {
        verify("Authorization", "Bearer abc", "X-Forwarded-For", "203.0.113.7");

        assertThat(seen.getFirst().client().value()).isEqualTo("127.0.0.1");
    }
}
