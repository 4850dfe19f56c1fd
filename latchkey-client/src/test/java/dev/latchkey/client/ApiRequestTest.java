package dev.latchkey.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ApiRequestTest {

    @ParameterizedTest
    @ValueSource(strings = {"v1/me", "//evil.example/x", "https://evil.example/x", "/a b", "/x#frag", ""})
    void builder_pathNotUnderBase_refused(String path) {
        assertThatThrownBy(() -> ApiRequest.get(path)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"Authorization", "authorization", "X-Tenant-Id", "x-tenant-id"})
    void header_ownedByClient_refused(String name) {
        assertThatThrownBy(() -> ApiRequest.builder("GET", "/v1/me").header(name, "x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("LatchkeyClient");
    }

    @Test
    void header_crlf_refused() {
        assertThatThrownBy(() -> ApiRequest.builder("GET", "/v1/me").header("X-A", "a\r\nX-B: b"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void body_copiedAndToStringHidesQuery() {
        byte[] body = "hello".getBytes(StandardCharsets.UTF_8);
        ApiRequest request = ApiRequest.builder("PUT", "/v1/x?code=secret-code")
                .body("text/plain", body)
                .build();
        body[0] = 'j';

        assertThat(new String(request.body(), StandardCharsets.UTF_8)).isEqualTo("hello");
        assertThat(request.headers()).containsEntry("Content-Type", java.util.List.of("text/plain"));
        assertThat(request.toString()).contains("PUT /v1/x").doesNotContain("secret-code");
    }
}
