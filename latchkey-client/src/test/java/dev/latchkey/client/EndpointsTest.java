package dev.latchkey.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EndpointsTest {

    @Test
    void baseUri_trailingSlashesAndPrefix_normalized() {
        assertThat(Endpoints.baseUri(URI.create("https://latchkey.example.com/prefix//"), false))
                .isEqualTo(URI.create("https://latchkey.example.com/prefix"));
        assertThat(Endpoints.baseUri(URI.create("HTTPS://latchkey.example.com:8443/"), false))
                .isEqualTo(URI.create("https://latchkey.example.com:8443"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"localhost", "LOCALHOST", "127.0.0.1", "127.255.0.9", "[::1]", "[0:0:0:0:0:0:0:1]"})
    void isLoopback_loopbackLiterals_true(String host) {
        assertThat(Endpoints.isLoopback(host)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "example.com",
                "localhost.",
                "127.0.0.1.example.com",
                "10.0.0.1",
                "[::2]",
                "128.0.0.1",
                "127.0.0.300",
                "[fe80::1%25lo]"
            })
    void isLoopback_otherHosts_false(String host) {
        assertThat(Endpoints.isLoopback(host)).isFalse();
    }

    @Test
    void origin_serialized() {
        assertThat(Endpoints.origin("HTTPS://Panel.Example.com")).isEqualTo("https://panel.example.com");
        assertThat(Endpoints.origin("http://localhost:5173/")).isEqualTo("http://localhost:5173");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "panel.example.com",
                "https://panel.example.com/app",
                "https://u@panel.example.com",
                "null",
                "file:///x",
                "https://p.example.com?x"
            })
    void origin_notAnOrigin_refused(String origin) {
        assertThatThrownBy(() -> Endpoints.origin(origin)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void pathSegment_everythingButUnreservedEncoded() {
        assertThat(Endpoints.pathSegment("github-mcp_1.x~")).isEqualTo("github-mcp_1.x~");
        assertThat(Endpoints.pathSegment("a b/c?d#e%f+g;h")).isEqualTo("a%20b%2Fc%3Fd%23e%25f%2Bg%3Bh");
        assertThat(Endpoints.pathSegment("é")).isEqualTo("%C3%A9");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ".", ".."})
    void pathSegment_emptyOrDotSegment_refused(String resource) {
        assertThatThrownBy(() -> Endpoints.pathSegment(resource)).isInstanceOf(IllegalArgumentException.class);
    }
}
