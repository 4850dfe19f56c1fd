package dev.latchkey.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.latchkey.client.FakeLatchkey.Reply;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ExchangeTest {
    private final FakeLatchkey latchkey = newServer();
    private final RecordingStore store = new RecordingStore();
    private final MutableClock clock = MutableClock.offsetFromRealTime(Duration.ZERO);

    @AfterEach
    void stop() {
        latchkey.close();
    }

    @Test
    void exchange_validCode_returnsSessionSavedBeforeReturning() {
        try (LatchkeyClient client =
                latchkey.client().sessionStore(store).clock(clock).build()) {
            Session session = client.exchange(latchkey.code());

            assertThat(session.token().reveal()).isEqualTo(latchkey.latestAccessToken());
            assertThat(session.refreshToken().reveal()).isEqualTo(latchkey.latestRefreshToken());
            assertThat(session.user().id()).isEqualTo(FakeLatchkey.USER);
            assertThat(session.user().tenant()).isEqualTo(FakeLatchkey.TENANT);
            assertThat(session.user().email()).contains("ada@example.com");
            assertThat(session.user().groups()).containsExactly("staff");
            assertThat(session.user().roles()).containsExactly("admin");
            assertThat(session.expiresAt())
                    .isBetween(
                            clock.instant().plus(Duration.ofMinutes(9)),
                            clock.instant().plus(Duration.ofMinutes(11)));
            assertThat(store.events()).containsExactly("save " + latchkey.latestRefreshToken());

            FakeLatchkey.Recorded request = latchkey.requests().get(0);
            assertThat(request.method()).isEqualTo("POST");
            assertThat(request.header("Origin")).isEqualTo(FakeLatchkey.ORIGIN);
            assertThat(request.header("X-Tenant-Id")).isEqualTo(FakeLatchkey.TENANT);
            assertThat(request.header("Content-Type")).isEqualTo("application/json");
            assertThat(request.header("Authorization")).isNull();
        }
    }

    @Test
    void exchange_usedCode_codeRejectedAndStoreUntouched() {
        String code = latchkey.code();
        try (LatchkeyClient client = latchkey.client().sessionStore(store).build()) {
            client.exchange(code);

            assertThatThrownBy(() -> client.exchange(code)).isInstanceOfSatisfying(CodeRejectedException.class, e -> {
                assertThat(e.error()).isEqualTo("invalid_grant");
                assertThat(e.description()).contains("unknown, used, or expired");
                assertThat(e.getMessage()).doesNotContain(code);
            });
            assertThat(store.events()).hasSize(1);
        }
    }

    @Test
    void exchange_noOriginConfigured_refusedBeforeAnyRequest() {
        try (LatchkeyClient client = LatchkeyClient.builder()
                .baseUri(latchkey.baseUri())
                .tenant(FakeLatchkey.TENANT)
                .allowInsecureHttpForLoopback()
                .build()) {
            assertThatThrownBy(() -> client.exchange("code"))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("origin");
            assertThat(latchkey.requests()).isEmpty();
        }
    }

    @Test
    void exchange_serverUnavailable_temporarilyUnavailableWithRetryAfter() {
        latchkey.enqueue(
                "/v1/sessions/exchange",
                Reply.json(503, "{\"error\":\"temporarily_unavailable\",\"retryable\":true}")
                        .withHeader("Retry-After", "7"));
        try (LatchkeyClient client = latchkey.client().sessionStore(store).build()) {
            assertThatThrownBy(() -> client.exchange(latchkey.code()))
                    .isInstanceOfSatisfying(
                            TemporarilyUnavailableException.class,
                            e -> assertThat(e.retryAfter()).contains(Duration.ofSeconds(7)));
            assertThat(store.events()).isEmpty();
        }
    }

    @Test
    void exchange_sessionOfAnotherTenant_refused() {
        latchkey.enqueue(
                "/v1/sessions/exchange",
                Reply.json(
                        200,
                        "{\"token\":\"t\",\"refreshToken\":\"r\",\"user\":{\"id\":\"u\",\"tenant\":\"other\"},"
                                + "\"expiresAt\":1}"));
        try (LatchkeyClient client = latchkey.client().sessionStore(store).build()) {
            assertThatThrownBy(() -> client.exchange(latchkey.code()))
                    .isInstanceOf(UnexpectedResponseException.class)
                    .hasMessageContaining("another tenant");
            assertThat(store.events()).isEmpty();
        }
    }

    @Test
    void exchange_malformedBody_unexpectedResponseWithoutBodyInMessage() {
        latchkey.enqueue(
                "/v1/sessions/exchange",
                Reply.json(200, "{\"token\":\"leaky-token\",\"token\":\"twice\",\"refreshToken\":\"r\"}"));
        try (LatchkeyClient client = latchkey.client().sessionStore(store).build()) {
            assertThatThrownBy(() -> client.exchange(latchkey.code()))
                    .isInstanceOf(UnexpectedResponseException.class)
                    .hasMessageContaining("not the documented JSON")
                    .hasMessageNotContaining("leaky-token");
            assertThat(store.events()).isEmpty();
        }
    }

    static FakeLatchkey newServer() {
        try {
            return new FakeLatchkey();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
