package dev.latchkey.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.latchkey.client.FakeLatchkey.Reply;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** C10-07, the mapping half: Latchkey's answers become typed exceptions. */
class ChallengeMappingTest {
    private final FakeLatchkey latchkey = ExchangeTest.newServer();
    private final LatchkeyClient client = latchkey.client().build();

    ChallengeMappingTest() {
        client.exchange(latchkey.code());
    }

    @AfterEach
    void stop() {
        client.close();
        latchkey.close();
    }

    @Test
    void send_403InsufficientScopeAmongSeveralChallenges_scopesFromBearer() {
        latchkey.enqueue(
                "/v1/admin",
                Reply.json(403, "{\"error\":\"insufficient_scope\"}")
                        .withHeader(
                                "WWW-Authenticate",
                                "DPoP algs=\"ES256\", Bearer realm=\"latchkey, admin\", error=\"insufficient_scope\","
                                        + " scope=\"admin:read admin:write\", x-unknown=\"1\""));

        assertThatThrownBy(() -> client.send(ApiRequest.get("/v1/admin")))
                .isInstanceOfSatisfying(
                        InsufficientScopeException.class,
                        e -> assertThat(e.scopes()).containsExactly("admin:read", "admin:write"));
        assertThat(latchkey.refreshes()).isEmpty();
    }

    @Test
    void send_403WithoutChallenge_insufficientScopeFromBody() {
        latchkey.enqueue(
                "/v1/admin", Reply.json(403, "{\"error\":\"insufficient_scope\",\"error_description\":\"x\"}"));

        assertThatThrownBy(() -> client.send(ApiRequest.get("/v1/admin")))
                .isInstanceOfSatisfying(
                        InsufficientScopeException.class,
                        e -> assertThat(e.scopes()).isEmpty());
    }

    @Test
    void send_other403_returnedAsIs() {
        latchkey.enqueue("/v1/admin", Reply.json(403, "{\"error\":\"api_keys_disabled\"}"));

        assertThat(client.send(ApiRequest.get("/v1/admin")).statusCode()).isEqualTo(403);
    }

    @Test
    void send_401InvalidTokenWithQuotedComma_descriptionKept() {
        String challenge = "Bearer error=\"invalid_token\", error_description=\"signature, or expiry\"";
        latchkey.enqueue("/v1/me", Reply.json(401, "").withHeader("WWW-Authenticate", challenge));
        latchkey.enqueue("/v1/me", Reply.json(401, "").withHeader("WWW-Authenticate", challenge));

        assertThatThrownBy(() -> client.send(ApiRequest.get("/v1/me")))
                .isInstanceOfSatisfying(InvalidTokenException.class, e -> {
                    assertThat(e.description()).contains("signature, or expiry");
                    assertThat(e.getMessage()).contains("signature, or expiry");
                });
    }

    @Test
    void send_503_temporarilyUnavailableWithRetryAfter() {
        latchkey.enqueue(
                "/v1/tokens/graph",
                Reply.json(503, "{\"error\":\"temporarily_unavailable\",\"retryable\":true}")
                        .withHeader("Retry-After", "12"));

        assertThatThrownBy(() -> client.downstreamToken("graph"))
                .isInstanceOfSatisfying(
                        TemporarilyUnavailableException.class,
                        e -> assertThat(e.retryAfter()).contains(Duration.ofSeconds(12)));
    }

    @Test
    void exchange_serverTextWithControlCharacters_messageSanitizedAndCut() {
        latchkey.enqueue(
                "/v1/sessions/exchange",
                Reply.json(
                        400,
                        "{\"error\":\"invalid_grant\",\"error_description\":\"line1\\r\\nFAKE LOG\\u001b[31m"
                                + "x".repeat(500) + "\"}"));

        assertThatThrownBy(() -> client.exchange(latchkey.code()))
                .isInstanceOfSatisfying(CodeRejectedException.class, e -> {
                    assertThat(e.description())
                            .hasValueSatisfying(d -> assertThat(d).startsWith("line1\r\nFAKE"));
                    assertThat(e.getMessage())
                            .contains("line1??FAKE LOG?[31m")
                            .doesNotContain("\r")
                            .doesNotContain("\n")
                            .doesNotContain("\u001b")
                            .hasSizeLessThan(300);
                });
    }
}
