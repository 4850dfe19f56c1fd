package dev.latchkey.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.latchkey.client.FakeLatchkey.Reply;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code GET /v1/tokens/{resource}} through the session machinery. */
class DownstreamTokenTest {
    private final FakeLatchkey latchkey = ExchangeTest.newServer();
    private final LatchkeyClient client = latchkey.client().build();

    DownstreamTokenTest() {
        client.exchange(latchkey.code());
    }

    @AfterEach
    void stop() {
        client.close();
        latchkey.close();
    }

    @Test
    void downstreamToken_isoExpiry_parsedWithScopesAndBearerSent() {
        DownstreamToken token = client.downstreamToken("github");

        assertThat(token.accessToken().reveal()).isEqualTo("downstream-secret-1");
        assertThat(token.tokenType()).isEqualTo("Bearer");
        assertThat(token.scopes()).containsExactly("repo", "read:org");
        assertThat(token.expiresAt()).isPresent();
        FakeLatchkey.Recorded request = latchkey.apiCalls("/v1/tokens/github").get(0);
        assertThat(request.method()).isEqualTo("GET");
        assertThat(request.bearer()).isEqualTo(latchkey.latestAccessToken());
        assertThat(request.header("X-Tenant-Id")).isEqualTo(FakeLatchkey.TENANT);
    }

    @Test
    void downstreamToken_epochSecondsExpiry_accepted() {
        Instant at = Instant.now().plus(Duration.ofMinutes(30));
        latchkey.enqueue(
                "/v1/tokens/graph",
                Reply.json(
                        200,
                        "{\"access_token\":\"a\",\"token_type\":\"Bearer\",\"expires_at\":" + at.getEpochSecond()
                                + ",\"scope\":\"\"}"));

        DownstreamToken token = client.downstreamToken("graph");

        assertThat(token.expiresAt())
                .hasValueSatisfying(e -> assertThat(e).isBetween(at.minusSeconds(120), at.plusSeconds(120)));
        assertThat(token.scopes()).isEmpty();
    }

    @Test
    void downstreamToken_noExpiry_empty() {
        latchkey.enqueue("/v1/tokens/graph", Reply.json(200, "{\"access_token\":\"a\",\"token_type\":\"Bearer\"}"));

        assertThat(client.downstreamToken("graph").expiresAt()).isEmpty();
    }

    @Test
    void downstreamToken_nameWithReservedCharacters_sentAsOneEncodedSegment() {
        client.downstreamToken("a b/../c?d#é%");

        assertThat(latchkey.requests(r -> r.rawPath().startsWith("/v1/tokens/")))
                .singleElement()
                .satisfies(r -> assertThat(r.rawPath()).isEqualTo("/v1/tokens/a%20b%2F..%2Fc%3Fd%23%C3%A9%25"));
    }

    @Test
    void downstreamToken_dotSegment_refusedBeforeAnyRequest() {
        int before = latchkey.requests().size();

        assertThatThrownBy(() -> client.downstreamToken("..")).isInstanceOf(IllegalArgumentException.class);
        assertThat(latchkey.requests()).hasSize(before);
    }

    @Test
    void downstreamToken_unknownResource_unexpectedResponseWithErrorCode() {
        latchkey.enqueue("/v1/tokens/nope", Reply.json(404, "{\"error\":\"unknown_resource\"}"));

        assertThatThrownBy(() -> client.downstreamToken("nope"))
                .isInstanceOfSatisfying(UnexpectedResponseException.class, e -> {
                    assertThat(e.status()).isEqualTo(404);
                    assertThat(e.error()).contains("unknown_resource");
                });
    }

    @Test
    void downstreamToken_expiredSessionBearer_refreshedAndRetried() {
        latchkey.expireAccessTokens();

        assertThat(client.downstreamToken("github").accessToken().reveal()).isEqualTo("downstream-secret-1");
        assertThat(latchkey.refreshes()).hasSize(1);
        assertThat(latchkey.apiCalls("/v1/tokens/github")).hasSize(2);
    }
}
