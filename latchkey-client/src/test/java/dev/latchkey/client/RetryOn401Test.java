package dev.latchkey.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.latchkey.client.FakeLatchkey.Reply;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A 401 leads to one refresh and exactly one retry of the original request (C10). */
class RetryOn401Test {
    private static final String INVALID_TOKEN =
            "Bearer error=\"invalid_token\", error_description=\"expired, or revoked\"";

    private final FakeLatchkey latchkey = ExchangeTest.newServer();
    private final RecordingStore store = new RecordingStore();

    @AfterEach
    void stop() {
        latchkey.close();
    }

    @Test
    void send_bearerRejectedOnce_refreshesAndReplaysSameRequestOnce() {
        try (LatchkeyClient client = latchkey.client().sessionStore(store).build()) {
            Session first = client.exchange(latchkey.code());
            latchkey.expireAccessTokens();

            ApiResponse response = client.send(ApiRequest.builder("POST", "/v1/things?x=1")
                    .header("X-Trace", "abc")
                    .body("application/json", "{\"name\":\"thing\"}")
                    .build());

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.bodyText()).contains("{\\\"name\\\":\\\"thing\\\"}");
            assertThat(latchkey.apiCalls("/v1/things")).hasSize(2).allSatisfy(r -> {
                assertThat(r.method()).isEqualTo("POST");
                assertThat(r.body()).isEqualTo("{\"name\":\"thing\"}");
                assertThat(r.header("X-Trace")).isEqualTo("abc");
                assertThat(r.header("X-Tenant-Id")).isEqualTo(FakeLatchkey.TENANT);
            });
            assertThat(latchkey.apiCalls("/v1/things").get(0).bearer())
                    .isEqualTo(first.token().reveal());
            assertThat(latchkey.apiCalls("/v1/things").get(1).bearer()).isEqualTo(latchkey.latestAccessToken());
            assertThat(latchkey.presentedRefreshTokens())
                    .containsExactly(first.refreshToken().reveal());
            assertThat(store.refreshToken()).isEqualTo(latchkey.latestRefreshToken());
        }
    }

    @Test
    void send_bearerRejectedTwice_exactlyOneRetryThenInvalidToken() {
        latchkey.enqueue("/v1/me", Reply.json(401, "{}").withHeader("WWW-Authenticate", INVALID_TOKEN));
        latchkey.enqueue("/v1/me", Reply.json(401, "{}").withHeader("WWW-Authenticate", INVALID_TOKEN));
        try (LatchkeyClient client = latchkey.client().sessionStore(store).build()) {
            client.exchange(latchkey.code());

            assertThatThrownBy(() -> client.send(ApiRequest.get("/v1/me")))
                    .isInstanceOfSatisfying(InvalidTokenException.class, e -> {
                        assertThat(e.error()).contains("invalid_token");
                        assertThat(e.description()).contains("expired, or revoked");
                    });
            assertThat(latchkey.apiCalls("/v1/me")).hasSize(2);
            assertThat(latchkey.refreshes()).hasSize(1);
        }
    }

    @Test
    void send_authorizationRequired_noRefreshNoRetry() {
        latchkey.enqueue(
                "/v1/tokens/github",
                Reply.json(
                                401,
                                "{\"error\":\"authorization_required\",\"authorization_url\":"
                                        + "\"https://latchkey.example.com/v1/connections/github/authorize\","
                                        + "\"reason\":\"no_grant\"}")
                        .withHeader("WWW-Authenticate", INVALID_TOKEN));
        try (LatchkeyClient client = latchkey.client().sessionStore(store).build()) {
            client.exchange(latchkey.code());

            assertThatThrownBy(() -> client.downstreamToken("github"))
                    .isInstanceOfSatisfying(AuthorizationRequiredException.class, e -> {
                        assertThat(e.authorizationUrl())
                                .hasValueSatisfying(u -> assertThat(u.toString())
                                        .isEqualTo("https://latchkey.example.com/v1/connections/github/authorize"));
                        assertThat(e.reason()).isEqualTo("no_grant");
                    });
            assertThat(latchkey.apiCalls("/v1/tokens/github")).hasSize(1);
            assertThat(latchkey.refreshes()).isEmpty();
        }
    }

    @Test
    void send_401WithOtherChallengeError_noRefresh() {
        latchkey.enqueue(
                "/v1/me", Reply.json(401, "{}").withHeader("WWW-Authenticate", "Bearer error=\"invalid_request\""));
        try (LatchkeyClient client = latchkey.client().sessionStore(store).build()) {
            client.exchange(latchkey.code());

            assertThatThrownBy(() -> client.send(ApiRequest.get("/v1/me")))
                    .isInstanceOfSatisfying(
                            InvalidTokenException.class,
                            e -> assertThat(e.error()).contains("invalid_request"));
            assertThat(latchkey.refreshes()).isEmpty();
            assertThat(latchkey.apiCalls("/v1/me")).hasSize(1);
        }
    }

    @Test
    void send_refreshedSessionExpiresWithinSkew_stillAtMostOneRetry() {
        latchkey.tokenLifetime(Duration.ofSeconds(5));
        try (LatchkeyClient client = latchkey.client().sessionStore(store).build()) {
            client.exchange(latchkey.code());
            latchkey.enqueue("/v1/me", Reply.json(401, "{}").withHeader("WWW-Authenticate", INVALID_TOKEN));
            latchkey.enqueue("/v1/me", Reply.json(401, "{}").withHeader("WWW-Authenticate", INVALID_TOKEN));

            assertThatThrownBy(() -> client.send(ApiRequest.get("/v1/me"))).isInstanceOf(InvalidTokenException.class);
            assertThat(latchkey.apiCalls("/v1/me")).hasSize(2);
        }
    }
}
