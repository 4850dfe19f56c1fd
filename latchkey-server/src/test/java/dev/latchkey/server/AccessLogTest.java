package dev.latchkey.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.slf4j.event.KeyValuePair;

class AccessLogTest {

    private static Map<String, Object> keyValues(ILoggingEvent event) {
        return event.getKeyValuePairs().stream().collect(Collectors.toMap(kv -> kv.key, kv -> kv.value));
    }

    @Test
    void request_isLoggedOnceWithRouteTemplateAndRequestId_neverTheQueryOrHeaders() throws InterruptedException {
        try (CapturedLogs access = CapturedLogs.of(AccessLog.LOGGER);
                TestServer test = TestServer.start(
                        b -> b.routes(routes -> routes.get("/v1/tokens/{resource}", ctx -> ctx.result("ok"))))) {
            HttpResponse<String> response =
                    test.send(test.request("/v1/tokens/github?code=SplxlOBeZQQYbYS6WxSbIA&access_token=qwerty123")
                            .header("Authorization", "Bearer eyJhbGciOiJIUzI1NiJ9.e30.c2ln")
                            .build());
            String id = response.headers().firstValue("X-Request-Id").orElseThrow();

            ILoggingEvent event =
                    access.await(e -> id.equals(e.getMDCPropertyMap().get(RequestIdFilter.MDC_KEY)));

            assertThat(event.getLevel()).isEqualTo(Level.INFO);
            assertThat(keyValues(event))
                    .containsEntry("method", "GET")
                    .containsEntry("route", "/v1/tokens/{resource}")
                    .containsEntry("status", 200)
                    .containsKey("duration_ms");
            String everything = event.getFormattedMessage()
                    + event.getKeyValuePairs().stream()
                            .map(KeyValuePair::toString)
                            .collect(Collectors.joining())
                    + event.getMDCPropertyMap();
            assertThat(everything).doesNotContain("github", "SplxlOBeZQQYbYS6WxSbIA", "qwerty123", "eyJ", "Bearer");
        }
    }

    @Test
    void unmatchedRequest_isLoggedWithUnmatchedRoute() throws InterruptedException {
        try (CapturedLogs access = CapturedLogs.of(AccessLog.LOGGER);
                TestServer test = TestServer.start()) {
            String id = test.get("/secret-path/lk_abcdefghijklmnopqrstuvwxyz")
                    .headers()
                    .firstValue("X-Request-Id")
                    .orElseThrow();

            ILoggingEvent event =
                    access.await(e -> id.equals(e.getMDCPropertyMap().get(RequestIdFilter.MDC_KEY)));

            assertThat(keyValues(event)).containsEntry("route", "unmatched").containsEntry("status", 404);
            assertThat(event.getFormattedMessage()).doesNotContain("secret-path", "lk_");
        }
    }
}
