package dev.latchkey.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * C10-09: expiry is judged from the server's {@code expiresAt} against the response's {@code
 * Date}, so a host clock five minutes off neither refreshes on every call nor keeps using a token
 * the server considers expired. The server here runs on the real clock (the JDK server stamps
 * {@code Date} with it); the client's clock is shifted.
 */
class ClockSkewTest {
    private static final Duration FIVE_MINUTES = Duration.ofMinutes(5);

    private final FakeLatchkey latchkey = ExchangeTest.newServer();

    @AfterEach
    void stop() {
        latchkey.close();
    }

    @Test
    void send_clientClockFiveMinutesAhead_noRefreshStorm() {
        latchkey.tokenLifetime(Duration.ofMinutes(2));
        MutableClock ahead = MutableClock.offsetFromRealTime(FIVE_MINUTES);
        try (LatchkeyClient client = latchkey.client().clock(ahead).build()) {
            Session session = client.exchange(latchkey.code());
            assertThat(session.expiresAt()).isAfter(ahead.instant().plus(Duration.ofMinutes(1)));

            for (int i = 0; i < 3; i++) {
                ahead.advance(Duration.ofSeconds(20));
                assertThat(client.send(ApiRequest.get("/v1/me")).statusCode()).isEqualTo(200);
            }

            assertThat(latchkey.refreshes()).isEmpty();
        }
    }

    @Test
    void send_clientClockFiveMinutesBehind_refreshesWhenServerTimeNearsExpiry() {
        latchkey.tokenLifetime(Duration.ofMinutes(2));
        MutableClock behind = MutableClock.offsetFromRealTime(FIVE_MINUTES.negated());
        try (LatchkeyClient client = latchkey.client().clock(behind).build()) {
            Session first = client.exchange(latchkey.code());
            assertThat(first.expiresAt()).isBefore(behind.instant().plus(Duration.ofMinutes(3)));

            behind.advance(Duration.ofSeconds(75));
            client.send(ApiRequest.get("/v1/me"));
            assertThat(latchkey.refreshes()).isEmpty();

            behind.advance(Duration.ofSeconds(30));
            client.send(ApiRequest.get("/v1/me"));
            assertThat(latchkey.refreshes()).hasSize(1);
            assertThat(latchkey.apiCalls("/v1/me").get(1).bearer()).isEqualTo(latchkey.latestAccessToken());
        }
    }

    @Test
    void downstreamToken_clientClockAhead_expiryShiftedOntoLocalClock() {
        MutableClock ahead = MutableClock.offsetFromRealTime(FIVE_MINUTES);
        try (LatchkeyClient client = latchkey.client().clock(ahead).build()) {
            client.exchange(latchkey.code());

            DownstreamToken token = client.downstreamToken("github");

            // The server says "one hour from now"; on a clock five minutes ahead that is ~65 minutes
            // from the real time, i.e. ~60 minutes from the local now.
            assertThat(token.expiresAt())
                    .hasValueSatisfying(at -> assertThat(at)
                            .isBetween(
                                    ahead.instant().plus(Duration.ofMinutes(59)),
                                    ahead.instant().plus(Duration.ofMinutes(61))));
        }
    }
}
