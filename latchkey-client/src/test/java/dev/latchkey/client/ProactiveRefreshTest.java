package dev.latchkey.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The bearer is renewed before use once it expires within the refresh skew (C10). */
class ProactiveRefreshTest {
    private final FakeLatchkey latchkey = ExchangeTest.newServer();
    private final RecordingStore store = new RecordingStore();
    private final MutableClock clock = MutableClock.offsetFromRealTime(Duration.ZERO);

    @AfterEach
    void stop() {
        latchkey.close();
    }

    @Test
    void send_outsideSkewWindow_usesSessionWithoutRefresh() {
        try (LatchkeyClient client =
                latchkey.client().sessionStore(store).clock(clock).build()) {
            Session session = client.exchange(latchkey.code());
            clock.advance(Duration.ofMinutes(9));

            ApiResponse response = client.send(ApiRequest.get("/v1/me"));

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(latchkey.refreshes()).isEmpty();
            assertThat(latchkey.apiCalls("/v1/me").get(0).bearer())
                    .isEqualTo(session.token().reveal());
        }
    }

    @Test
    void send_withinSkewWindow_refreshesOnceBeforeUseAndPersistsBeforeReturning() {
        try (LatchkeyClient client =
                latchkey.client().sessionStore(store).clock(clock).build()) {
            Session first = client.exchange(latchkey.code());
            clock.advance(Duration.ofMinutes(9).plusSeconds(45));

            ApiResponse response = client.send(ApiRequest.get("/v1/me"));

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(latchkey.presentedRefreshTokens())
                    .containsExactly(first.refreshToken().reveal());
            String rotated = latchkey.latestRefreshToken();
            assertThat(store.refreshToken()).isEqualTo(rotated);
            assertThat(store.events())
                    .containsExactly("save " + first.refreshToken().reveal(), "save " + rotated);
            assertThat(latchkey.apiCalls("/v1/me"))
                    .singleElement()
                    .satisfies(r -> assertThat(r.bearer()).isEqualTo(latchkey.latestAccessToken()));
            assertThat(client.currentSession().orElseThrow().refreshToken().reveal())
                    .isEqualTo(rotated);
        }
    }

    @Test
    void send_sessionOnlyInStore_loadsItAndRefreshesWithIt() {
        String refreshToken;
        try (LatchkeyClient first =
                latchkey.client().sessionStore(store).clock(clock).build()) {
            refreshToken = first.exchange(latchkey.code()).refreshToken().reveal();
        }
        clock.advance(Duration.ofMinutes(10));
        try (LatchkeyClient restarted =
                latchkey.client().sessionStore(store).clock(clock).build()) {
            assertThat(restarted.send(ApiRequest.get("/v1/me")).statusCode()).isEqualTo(200);
        }
        assertThat(latchkey.presentedRefreshTokens()).containsExactly(refreshToken);
        assertThat(store.refreshToken()).isEqualTo(latchkey.latestRefreshToken());
    }
}
