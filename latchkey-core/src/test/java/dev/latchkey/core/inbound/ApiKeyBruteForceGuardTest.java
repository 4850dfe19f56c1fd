package dev.latchkey.core.inbound;

import static org.assertj.core.api.Assertions.assertThat;

import dev.latchkey.core.audit.AuditEvent;
import dev.latchkey.core.identity.Principal;
import dev.latchkey.core.identity.RecordingAuditLog;
import dev.latchkey.core.identity.UserId;
import dev.latchkey.core.secret.Secret;
import dev.latchkey.core.tenant.TenantId;
import dev.latchkey.core.testing.TestClock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The guard in front of an authenticator whose API-key answers are scripted: what the guard lets
 * through is counted, since each call would be a key lookup in the database.
 */
class ApiKeyBruteForceGuardTest {
    private static final TenantId ACME = TenantId.of("acme");
    private static final TenantId GLOBEX = TenantId.of("globex");
    private static final ClientAddress ATTACKER = ClientAddress.of("203.0.113.9");
    private static final ClientAddress OTHER = ClientAddress.of("198.51.100.4");
    private static final String GOOD_KEY = "lk_AAAAAAAAAAAAAAAA_" + "g".repeat(43);
    private static final String SHORT_SCOPED_KEY = "lk_BBBBBBBBBBBBBBBB_" + "s".repeat(43);
    private static final String DISABLED_TENANT_KEY = "lk_CCCCCCCCCCCCCCCC_" + "d".repeat(43);
    private static final int LIMIT = 20;

    private final TestClock clock = new TestClock();
    private final RecordingAuditLog audit = new RecordingAuditLog();
    private final AtomicInteger delegateCalls = new AtomicInteger();
    private final List<TenantId> refusals = new CopyOnWriteArrayList<>();
    private final Authenticator delegate = (credentials, scopes) -> {
        delegateCalls.incrementAndGet();
        if (credentials.bearerToken().isPresent()) {
            return new AuthOutcome.Authenticated(principal(Principal.Kind.USER));
        }
        String key = credentials.apiKeyValue().orElseThrow().reveal();
        if (key.equals(GOOD_KEY)) {
            return new AuthOutcome.Authenticated(principal(Principal.Kind.API_KEY));
        }
        if (key.equals(SHORT_SCOPED_KEY)) {
            return new AuthOutcome.InsufficientScope(Set.of("admin"));
        }
        if (key.equals(DISABLED_TENANT_KEY)) {
            return new AuthOutcome.Forbidden("api_keys_disabled", "off");
        }
        return new AuthOutcome.Rejected("invalid_api_key", "the API key is not valid");
    };
    private final ApiKeyBruteForceGuard guard = new ApiKeyBruteForceGuard(
            delegate,
            new FixedWindowAttemptLimiter(tenant -> LIMIT, Duration.ofMinutes(1), 10_000, clock),
            audit,
            clock,
            refusals::add);

    private static Principal principal(Principal.Kind kind) {
        return new Principal(ACME, UserId.of("alice"), kind, null, Set.of(), Set.of("tokens:read"));
    }

    private static String wrongKey(int i) {
        return "lk_%016d_%043d".formatted(i, i);
    }

    private AuthOutcome apiKey(TenantId tenant, ClientAddress client, String key) {
        return guard.authenticate(new Credentials(tenant, null, Secret.of(key), client), Set.of());
    }

    /** Presents {@code times} wrong keys: rejected up to the limit, refused as too many after it. */
    private void failTimes(TenantId tenant, ClientAddress client, int times) {
        for (int i = 0; i < times; i++) {
            assertThat(apiKey(tenant, client, wrongKey(i)))
                    .isInstanceOf(i < LIMIT ? AuthOutcome.Rejected.class : AuthOutcome.TooManyAttempts.class);
        }
    }

    @Test
    void wrongKeys_upToTheLimit_eachRejectedAsUsual() {
        failTimes(ACME, ATTACKER, LIMIT);

        assertThat(delegateCalls).hasValue(LIMIT);
        assertThat(refusals).isEmpty();
    }

    @Test
    void wrongKeys_overTheLimit_tooManyAttemptsWithoutAskingTheDelegate() {
        failTimes(ACME, ATTACKER, LIMIT);
        clock.advance(Duration.ofSeconds(20));

        for (int i = 0; i < 30; i++) {
            assertThat(apiKey(ACME, ATTACKER, wrongKey(100 + i)))
                    .isEqualTo(new AuthOutcome.TooManyAttempts(Duration.ofSeconds(40)));
        }

        assertThat(delegateCalls).hasValue(LIMIT);
        assertThat(refusals).hasSize(30).containsOnly(ACME);
    }

    @Test
    void blockedClient_evenWithTheRightKey_refusedUntilTheWindowEnds() {
        failTimes(ACME, ATTACKER, LIMIT);

        assertThat(apiKey(ACME, ATTACKER, GOOD_KEY)).isInstanceOf(AuthOutcome.TooManyAttempts.class);

        clock.advance(Duration.ofMinutes(1));
        assertThat(apiKey(ACME, ATTACKER, GOOD_KEY)).isInstanceOf(AuthOutcome.Authenticated.class);
    }

    @Test
    void blockedClient_otherClientsOtherTenantsAndBearerTokens_unaffected() {
        failTimes(ACME, ATTACKER, LIMIT + 5);

        assertThat(apiKey(ACME, OTHER, GOOD_KEY)).isInstanceOf(AuthOutcome.Authenticated.class);
        assertThat(apiKey(GLOBEX, ATTACKER, GOOD_KEY)).isInstanceOf(AuthOutcome.Authenticated.class);
        assertThat(guard.authenticate(new Credentials(ACME, Secret.of("a.b.c"), null, ATTACKER), Set.of()))
                .isInstanceOf(AuthOutcome.Authenticated.class);
    }

    @Test
    void reachingTheLimit_auditedOncePerWindowWithoutKeyMaterial() {
        failTimes(ACME, ATTACKER, LIMIT + 10);
        clock.advance(Duration.ofMinutes(1));
        failTimes(ACME, ATTACKER, LIMIT + 10);

        List<AuditEvent> events = audit.events();
        assertThat(events).hasSize(2).allSatisfy(event -> {
            assertThat(event.action()).isEqualTo("api_key_bruteforce");
            assertThat(event.tenant()).isEqualTo(ACME);
            assertThat(event.details()).containsEntry("client", ATTACKER.value());
            assertThat(event.details().values()).noneMatch(value -> value.contains("lk_"));
            assertThat(event.actor()).doesNotContain("lk_");
        });
    }

    @Test
    void keysThatAreValidButShortOfScope_orOfADisabledTenant_doNotCount() {
        for (int i = 0; i < LIMIT * 2; i++) {
            assertThat(apiKey(ACME, ATTACKER, SHORT_SCOPED_KEY)).isInstanceOf(AuthOutcome.InsufficientScope.class);
            assertThat(apiKey(ACME, ATTACKER, DISABLED_TENANT_KEY)).isInstanceOf(AuthOutcome.Forbidden.class);
        }

        assertThat(apiKey(ACME, ATTACKER, GOOD_KEY)).isInstanceOf(AuthOutcome.Authenticated.class);
        assertThat(audit.events()).isEmpty();
    }

    @Test
    void apiKeyWithoutTenant_passedThroughAndNeverCounted() {
        Authenticator noTenant = new ApiKeyBruteForceGuard(
                (credentials, scopes) -> new AuthOutcome.Malformed("an API key needs the tenant in X-Tenant-Id"),
                new FixedWindowAttemptLimiter(tenant -> 1, Duration.ofMinutes(1), 10, clock),
                audit,
                clock,
                ApiKeyBruteForceGuard.Listener.NONE);

        for (int i = 0; i < 5; i++) {
            assertThat(noTenant.authenticate(new Credentials(null, null, Secret.of(wrongKey(i)), ATTACKER), Set.of()))
                    .isInstanceOf(AuthOutcome.Malformed.class);
        }
    }
}
