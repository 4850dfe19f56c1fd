package dev.latchkey.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ResponseHeadersTest {

    @ParameterizedTest
    @ValueSource(strings = {"/health/live", "/health/ready", "/metrics", "/not-a-route"})
    void everyResponse_carriesSecurityHeadersAndNoServerVersion(String path) {
        try (TestServer test = TestServer.start()) {
            HttpResponse<String> response = test.get(path);

            assertThat(response.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
            assertThat(response.headers().firstValue("Referrer-Policy")).hasValue("no-referrer");
            assertThat(response.headers().firstValue("Cache-Control")).hasValue("no-store");
            assertThat(response.headers().firstValue("Server")).isEmpty();
            assertThat(response.headers().firstValue("X-Powered-By")).isEmpty();
        }
    }

    @Test
    void handlers_runOnVirtualThreads() {
        try (TestServer test = TestServer.start(b -> b.routes(routes -> routes.get(
                "/thread",
                ctx -> ctx.result(Boolean.toString(Thread.currentThread().isVirtual())))))) {
            assertThat(test.get("/thread").body()).isEqualTo("true");
        }
    }
}
