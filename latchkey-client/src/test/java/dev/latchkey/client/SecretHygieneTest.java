package dev.latchkey.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.latchkey.client.FakeLatchkey.Reply;
import java.io.ByteArrayOutputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** C10-02: no secret in toString, assertion failures, exception messages or serialized forms. */
class SecretHygieneTest {
    private static final String TOKEN = "eyJhbGciOiJFUzI1NiJ9.access-secret.sig";
    private static final String REFRESH = "refresh-secret-0123456789";

    private final FakeLatchkey latchkey = ExchangeTest.newServer();

    @AfterEach
    void stop() {
        latchkey.close();
    }

    @Test
    void secretValue_toString_printsOnlyFirst8HexOfSha256() throws Exception {
        SecretValue secret = SecretValue.of(TOKEN);
        String sha256 = HexFormat.of()
                .formatHex(MessageDigest.getInstance("SHA-256").digest(TOKEN.getBytes(StandardCharsets.UTF_8)));

        assertThat(secret.fingerprint()).isEqualTo(sha256.substring(0, 8));
        assertThat(secret).hasToString("sha256:" + sha256.substring(0, 8));
        assertThat(secret).isEqualTo(SecretValue.of(TOKEN)).isNotEqualTo(SecretValue.of(REFRESH));
    }

    @Test
    void session_toString_masksBothTokens() {
        Session session = session(TOKEN, REFRESH);

        assertThat(session.toString())
                .doesNotContain(TOKEN)
                .doesNotContain(REFRESH)
                .contains(session.token().fingerprint())
                .contains(session.refreshToken().fingerprint())
                .contains("u-1");
    }

    @Test
    void session_failedEqualityAssertion_messageHasNoSecret() {
        Throwable failure = catchThrowable(
                () -> assertThat(session(TOKEN, REFRESH)).isEqualTo(session(TOKEN + "x", REFRESH + "x")));

        assertThat(failure).isInstanceOf(AssertionError.class);
        assertThat(failure.getMessage()).doesNotContain(TOKEN).doesNotContain(REFRESH);
    }

    @Test
    void secretCarriers_notSerializable() {
        for (Class<?> type : List.of(SecretValue.class, Session.class, DownstreamToken.class)) {
            assertThat(Serializable.class.isAssignableFrom(type))
                    .as(type.getName())
                    .isFalse();
        }
    }

    @Test
    void secretValue_empty_messageIsGeneric() {
        assertThatThrownBy(() -> SecretValue.of("")).hasMessage("a secret value must not be empty");
    }

    @Test
    void errorPaths_messagesAndSerializedExceptionsHoldNoIssuedSecret() throws Exception {
        MutableClock clock = MutableClock.offsetFromRealTime(Duration.ZERO);
        List<Throwable> failures = new ArrayList<>();
        try (LatchkeyClient client = latchkey.client().clock(clock).build()) {
            Session session = client.exchange(latchkey.code());
            assertThat(client.toString()).doesNotContain(session.token().reveal());
            assertThat(client.currentSession().orElseThrow().toString())
                    .doesNotContain(session.token().reveal())
                    .doesNotContain(session.refreshToken().reveal());

            latchkey.enqueue(
                    "/v1/me",
                    Reply.json(401, "{}")
                            .withHeader(
                                    "WWW-Authenticate", "Bearer error=\"invalid_token\", error_description=\"bad\""));
            latchkey.enqueue(
                    "/v1/me",
                    Reply.json(401, "{}")
                            .withHeader(
                                    "WWW-Authenticate", "Bearer error=\"invalid_token\", error_description=\"bad\""));
            failures.add(catchThrowable(() -> client.send(ApiRequest.get("/v1/me"))));
            latchkey.enqueue(
                    "/v1/tokens/x",
                    Reply.json(403, "{}")
                            .withHeader("WWW-Authenticate", "Bearer error=\"insufficient_scope\", scope=\"a b\""));
            failures.add(catchThrowable(() -> client.downstreamToken("x")));
            latchkey.enqueue("/v1/tokens/y", Reply.json(503, "{\"error\":\"temporarily_unavailable\"}"));
            failures.add(catchThrowable(() -> client.downstreamToken("y")));
            latchkey.enqueue("/v1/tokens/z", Reply.json(200, "{\"access_token\":\"downstream-secret-2\"}"));
            failures.add(catchThrowable(() -> client.downstreamToken("z")));
            DownstreamToken token = client.downstreamToken("github");
            assertThat(token.toString()).doesNotContain(token.accessToken().reveal());

            latchkey.enqueue("/v1/sessions/refresh", Reply.json(401, "{\"error\":\"invalid_grant\"}"));
            clock.advance(Duration.ofMinutes(10));
            failures.add(catchThrowable(() -> client.send(ApiRequest.get("/v1/me"))));
            failures.add(catchThrowable(() -> client.exchange("used-or-unknown-code")));
        }

        assertThat(failures).hasSize(6).allSatisfy(f -> assertThat(f).isInstanceOf(LatchkeyException.class));
        Set<String> secrets = latchkey.issuedSecrets();
        assertThat(secrets).isNotEmpty();
        for (Throwable failure : failures) {
            String serialized = serialized(failure);
            for (String secret : secrets) {
                assertThat(failure.getMessage()).doesNotContain(secret);
                assertThat(failure.toString()).doesNotContain(secret);
                assertThat(serialized).doesNotContain(secret);
            }
            assertThat(failure.getMessage()).doesNotContain("downstream-secret").doesNotContain("used-or-unknown-code");
        }
    }

    private static String serialized(Throwable failure) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(failure);
        }
        return bytes.toString(StandardCharsets.ISO_8859_1);
    }

    private static Session session(String token, String refresh) {
        return new Session(
                SecretValue.of(token),
                SecretValue.of(refresh),
                new SessionUser("u-1", "acme", List.of(), List.of()),
                Instant.parse("2030-01-01T00:00:00Z"));
    }
}
