package dev.latchkey.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.latchkey.client.FakeLatchkey.Reply;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** C10-03: redirects are never followed, so credentials never hop to another origin. */
class RedirectTest {
    private final FakeLatchkey latchkey = ExchangeTest.newServer();
    private final FakeLatchkey.Elsewhere elsewhere = newElsewhere();

    @AfterEach
    void stop() {
        elsewhere.close();
        latchkey.close();
    }

    @Test
    void send_307ToAnotherOrigin_returnedAndNothingReachesIt() {
        latchkey.enqueue("/v1/me", new Reply(307, Map.of("Location", elsewhere.url("/steal")), ""));
        try (LatchkeyClient client = latchkey.client().build()) {
            client.exchange(latchkey.code());

            ApiResponse response = client.send(ApiRequest.get("/v1/me"));

            assertThat(response.statusCode()).isEqualTo(307);
            assertThat(response.headers().firstValue("Location")).contains(elsewhere.url("/steal"));
            assertThat(elsewhere.received()).isEmpty();
        }
    }

    @Test
    void refresh_302ToAnotherOrigin_unexpectedResponseAndRefreshTokenStaysHome() {
        latchkey.enqueue("/v1/sessions/refresh", new Reply(302, Map.of("Location", elsewhere.url("/steal")), ""));
        MutableClock clock = MutableClock.offsetFromRealTime(Duration.ZERO);
        try (LatchkeyClient client = latchkey.client().clock(clock).build()) {
            Session session = client.exchange(latchkey.code());
            clock.advance(Duration.ofMinutes(10));

            assertThatThrownBy(() -> client.send(ApiRequest.get("/v1/me")))
                    .isInstanceOfSatisfying(UnexpectedResponseException.class, e -> {
                        assertThat(e.status()).isEqualTo(302);
                        assertThat(e.getMessage()).contains("redirects are not followed");
                    });
            assertThat(elsewhere.received()).isEmpty();
            assertThat(client.currentSession()).contains(session);
        }
    }

    @Test
    void exchange_307ToHttp_unexpectedResponseAndCodeNotResent() {
        latchkey.enqueue("/v1/sessions/exchange", new Reply(307, Map.of("Location", elsewhere.url("/exchange")), ""));
        try (LatchkeyClient client = latchkey.client().build()) {
            assertThatThrownBy(() -> client.exchange(latchkey.code()))
                    .isInstanceOfSatisfying(
                            UnexpectedResponseException.class,
                            e -> assertThat(e.status()).isEqualTo(307));
            assertThat(elsewhere.received()).isEmpty();
        }
    }

    @Test
    void build_httpClientFollowingRedirects_refused() {
        for (HttpClient.Redirect policy :
                new HttpClient.Redirect[] {HttpClient.Redirect.NORMAL, HttpClient.Redirect.ALWAYS}) {
            try (HttpClient following =
                    HttpClient.newBuilder().followRedirects(policy).build()) {
                assertThatThrownBy(() -> latchkey.client().httpClient(following).build())
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("Redirect.NEVER");
            }
        }
    }

    private static FakeLatchkey.Elsewhere newElsewhere() {
        try {
            return new FakeLatchkey.Elsewhere();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
