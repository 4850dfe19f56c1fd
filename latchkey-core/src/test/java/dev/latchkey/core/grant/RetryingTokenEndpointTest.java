package dev.latchkey.core.grant;

import static org.assertj.core.api.Assertions.assertThat;

import dev.latchkey.core.secret.Secret;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RetryingTokenEndpointTest {
    private static final GrantKey KEY = GrantKey.of("acme", "alice", "github");
    private static final Secret REFRESH_TOKEN = Secret.of("rt-1");
    private static final RefreshOutcome REFRESHED =
            new RefreshOutcome.Refreshed(new TokenSet(Secret.of("at-2"), Secret.of("rt-2"), "Bearer", Set.of(), null));

    private final List<Duration> pauses = new ArrayList<>();

    @Test
    void notSent_isRetried_untilTheServerAnswers() {
        Scripted endpoint = new Scripted(notSent(), notSent(), REFRESHED);

        RefreshOutcome outcome = retrying(endpoint, 3).refresh(KEY, REFRESH_TOKEN, Duration.ofSeconds(10));

        assertThat(outcome).isEqualTo(REFRESHED);
        assertThat(endpoint.calls).isEqualTo(3);
        // Full jitter is given its whole bound here: 100 ms, then 200 ms.
        assertThat(pauses).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200));
    }

    @Test
    void tooManyRequests_waitsAtLeastRetryAfter() {
        Scripted endpoint = new Scripted(new RefreshOutcome.Transient("http_429", Duration.ofSeconds(2)), REFRESHED);

        assertThat(retrying(endpoint, 3).refresh(KEY, REFRESH_TOKEN, Duration.ofSeconds(10)))
                .isEqualTo(REFRESHED);
        assertThat(pauses).containsExactly(Duration.ofSeconds(2));
    }

    @Test
    void outcomesTheServerMayHaveActedOn_areNeverRetried() {
        for (String reason : List.of("timeout", "connection_failed", "http_500", "http_502", "malformed_response")) {
            Scripted endpoint = new Scripted(new RefreshOutcome.Transient(reason, null), REFRESHED);

            RefreshOutcome outcome = retrying(endpoint, 3).refresh(KEY, REFRESH_TOKEN, Duration.ofSeconds(10));

            assertThat(outcome).as(reason).isInstanceOf(RefreshOutcome.Transient.class);
            assertThat(endpoint.calls).as(reason).isEqualTo(1);
        }
    }

    @Test
    void terminalAndSuccess_returnAtOnce() {
        Scripted terminal = new Scripted(new RefreshOutcome.Terminal("invalid_grant"), REFRESHED);
        assertThat(retrying(terminal, 3).refresh(KEY, REFRESH_TOKEN, Duration.ofSeconds(10)))
                .isEqualTo(new RefreshOutcome.Terminal("invalid_grant"));
        assertThat(terminal.calls).isEqualTo(1);
    }

    @Test
    void aPauseThatWouldLeaveNoRoomForACall_endsTheRetries() {
        Scripted endpoint = new Scripted(new RefreshOutcome.Transient("http_503", Duration.ofSeconds(30)), REFRESHED);

        RefreshOutcome outcome = retrying(endpoint, 3).refresh(KEY, REFRESH_TOKEN, Duration.ofSeconds(10));

        assertThat(outcome).isInstanceOf(RefreshOutcome.Transient.class);
        assertThat(endpoint.calls).isEqualTo(1);
        assertThat(pauses).isEmpty();
    }

    @Test
    void attempts_areBounded() {
        Scripted endpoint = new Scripted(notSent(), notSent(), notSent(), notSent(), REFRESHED);

        assertThat(retrying(endpoint, 3).refresh(KEY, REFRESH_TOKEN, Duration.ofSeconds(10)))
                .isEqualTo(notSent());
        assertThat(endpoint.calls).isEqualTo(3);
    }

    /** The real endpoint reports a closed port as "not sent", which is what makes a retry safe. */
    @Test
    void nimbusEndpoint_closedPort_reportsNotSent() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        NimbusTokenEndpoint endpoint = new NimbusTokenEndpoint(
                key -> Optional.of(new NimbusTokenEndpoint.Client(
                        URI.create("http://127.0.0.1:" + port + "/token"), "latchkey", null)),
                Clock.systemUTC());

        assertThat(endpoint.refresh(KEY, REFRESH_TOKEN, Duration.ofSeconds(2)))
                .isEqualTo(new RefreshOutcome.Transient(NimbusTokenEndpoint.NOT_SENT, null));
    }

    private RetryingTokenEndpoint retrying(TokenEndpoint endpoint, int attempts) {
        return new RetryingTokenEndpoint(endpoint, attempts, Duration.ofMillis(100), pauses::add, bound -> bound);
    }

    private static RefreshOutcome notSent() {
        return new RefreshOutcome.Transient(NimbusTokenEndpoint.NOT_SENT, null);
    }

    /** The port's edge: answers from a script, counting calls. */
    private static final class Scripted implements TokenEndpoint {
        private final Deque<RefreshOutcome> script;
        private int calls;

        Scripted(RefreshOutcome... outcomes) {
            this.script = new ArrayDeque<>(List.of(outcomes));
        }

        @Override
        public RefreshOutcome refresh(GrantKey key, Secret refreshToken, Duration deadline) {
            calls++;
            return script.size() > 1 ? script.removeFirst() : script.getFirst();
        }
    }
}
