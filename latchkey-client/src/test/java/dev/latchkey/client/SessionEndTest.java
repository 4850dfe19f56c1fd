package dev.latchkey.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.latchkey.client.FakeLatchkey.Reply;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A refused or forgotten session surfaces as SessionEndedException after the store was cleared. */
class SessionEndTest {
    private final FakeLatchkey latchkey = ExchangeTest.newServer();
    private final RecordingStore store = new RecordingStore();
    private final MutableClock clock = MutableClock.offsetFromRealTime(Duration.ZERO);

    @AfterEach
    void stop() {
        latchkey.close();
    }

    @Test
    void send_refreshAnswers404_sessionGoneAndStoreCleared() {
        latchkey.enqueue("/v1/sessions/refresh", Reply.json(404, "{\"error\":\"not_found\"}"));
        try (LatchkeyClient client =
                latchkey.client().sessionStore(store).clock(clock).build()) {
            client.exchange(latchkey.code());
            clock.advance(Duration.ofMinutes(10));

            assertThatThrownBy(() -> client.send(ApiRequest.get("/v1/me")))
                    .isInstanceOfSatisfying(
                            SessionEndedException.class,
                            e -> assertThat(e.reason()).isEqualTo(SessionEndedException.Reason.SESSION_GONE));
            assertThat(store.events()).last().isEqualTo("clear");
            assertThat(client.currentSession()).isEmpty();
            assertThat(latchkey.apiCalls("/v1/me")).isEmpty();
        }
    }

    @Test
    void send_refreshRefusedInvalidGrant_refreshRefusedAndStoreCleared() {
        latchkey.enqueue(
                "/v1/sessions/refresh",
                Reply.json(400, "{\"error\":\"invalid_grant\",\"error_description\":\"family revoked\"}"));
        try (LatchkeyClient client = latchkey.client().sessionStore(store).build()) {
            client.exchange(latchkey.code());
            latchkey.expireAccessTokens();

            assertThatThrownBy(() -> client.send(ApiRequest.get("/v1/me")))
                    .isInstanceOfSatisfying(
                            SessionEndedException.class,
                            e -> assertThat(e.reason()).isEqualTo(SessionEndedException.Reason.REFRESH_REFUSED));
            assertThat(store.load()).isEmpty();
            assertThat(store.events()).last().isEqualTo("clear");
        }
    }

    @Test
    void send_afterSessionEnded_noSessionWithoutNetworkCall() {
        latchkey.enqueue("/v1/sessions/refresh", Reply.json(401, "{\"error\":\"invalid_grant\"}"));
        try (LatchkeyClient client =
                latchkey.client().sessionStore(store).clock(clock).build()) {
            client.exchange(latchkey.code());
            clock.advance(Duration.ofMinutes(10));
            assertThatThrownBy(() -> client.send(ApiRequest.get("/v1/me"))).isInstanceOf(SessionEndedException.class);
            int requestsSoFar = latchkey.requests().size();

            assertThatThrownBy(() -> client.send(ApiRequest.get("/v1/me")))
                    .isInstanceOfSatisfying(
                            SessionEndedException.class,
                            e -> assertThat(e.reason()).isEqualTo(SessionEndedException.Reason.NO_SESSION));
            assertThat(latchkey.requests()).hasSize(requestsSoFar);
        }
    }

    @Test
    void send_refreshTransientlyUnavailable_sessionKept() {
        latchkey.enqueue(
                "/v1/sessions/refresh",
                Reply.json(503, "{\"error\":\"temporarily_unavailable\",\"retryable\":true}")
                        .withHeader("Retry-After", "3"));
        try (LatchkeyClient client =
                latchkey.client().sessionStore(store).clock(clock).build()) {
            Session session = client.exchange(latchkey.code());
            clock.advance(Duration.ofMinutes(10));

            assertThatThrownBy(() -> client.send(ApiRequest.get("/v1/me")))
                    .isInstanceOfSatisfying(
                            TemporarilyUnavailableException.class,
                            e -> assertThat(e.retryAfter()).contains(Duration.ofSeconds(3)));
            assertThat(store.load()).contains(session);

            assertThat(client.send(ApiRequest.get("/v1/me")).statusCode()).isEqualTo(200);
            assertThat(latchkey.presentedRefreshTokens())
                    .containsExactly(
                            session.refreshToken().reveal(),
                            session.refreshToken().reveal());
            assertThat(latchkey.reuses()).isZero();
        }
    }

    @Test
    void send_emptyStore_noSession() {
        try (LatchkeyClient client = latchkey.client().sessionStore(store).build()) {
            assertThatThrownBy(() -> client.send(ApiRequest.get("/v1/me")))
                    .isInstanceOfSatisfying(
                            SessionEndedException.class,
                            e -> assertThat(e.reason()).isEqualTo(SessionEndedException.Reason.NO_SESSION));
            assertThat(latchkey.requests()).isEmpty();
        }
    }
}
