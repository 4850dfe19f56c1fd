package dev.latchkey.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.latchkey.core.identity.Principal;
import dev.latchkey.core.identity.UserId;
import dev.latchkey.core.inbound.AuthOutcome;
import dev.latchkey.core.inbound.Authenticator;
import dev.latchkey.core.inbound.ClientAddress;
import dev.latchkey.core.inbound.Credentials;
import dev.latchkey.core.tenant.TenantId;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.http.HttpRequest;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Which client a request is counted as, over real HTTP, with and without a trusted proxy. */
class ClientAddressFilterTest {
    private final List<Credentials> seen = new CopyOnWriteArrayList<>();
    private final Authenticator authenticator = (credentials, scopes) -> {
        seen.add(credentials);
        return new AuthOutcome.Authenticated(
                new Principal(TenantId.of("acme"), UserId.of("alice"), Principal.Kind.USER, null, Set.of(), Set.of()));
    };

    private ClientAddress clientOf(boolean trustForwardedFor, String... forwardedFor) {
        seen.clear();
        try (TestServer server = TestServer.start(builder -> builder.trustForwardedFor(trustForwardedFor)
                .routes(new AuthRoutes(authenticator, new SimpleMeterRegistry())))) {
            HttpRequest.Builder request = server.request("/v1/auth/verify").header("Authorization", "Bearer abc");
            for (String value : forwardedFor) {
                request.header(ClientAddressFilter.FORWARDED_FOR, value);
            }
            assertThat(server.send(request.GET().build()).statusCode()).isEqualTo(200);
        }
        return seen.getFirst().client();
    }

    @Test
    void untrusted_forwardedForIgnored_socketPeerCounts() {
        assertThat(clientOf(false, "203.0.113.7")).isEqualTo(ClientAddress.of("127.0.0.1"));
    }

    @Test
    void trusted_lastHopCounts_entriesTheClientWroteAreIgnored() {
        // nginx $proxy_add_x_forwarded_for appends the peer it saw to what the client sent.
        assertThat(clientOf(true, "198.51.100.66, 203.0.113.7")).isEqualTo(ClientAddress.of("203.0.113.7"));
        assertThat(clientOf(true, "198.51.100.66", "203.0.113.8")).isEqualTo(ClientAddress.of("203.0.113.8"));
    }

    @Test
    void trusted_missingOrGarbageHeader_fallsBackToSocketPeer() {
        assertThat(clientOf(true)).isEqualTo(ClientAddress.of("127.0.0.1"));
        assertThat(clientOf(true, "203.0.113.7, unknown")).isEqualTo(ClientAddress.of("127.0.0.1"));
    }

    @ParameterizedTest
    @CsvSource({
        "203.0.113.7, 203.0.113.7",
        "010.001.000.009, 10.1.0.9",
        "[2001:db8:1:2:3:4:5:6], 2001:db8:1:2:0:0:0:0/64",
        "2001:db8:1:2:ffff:ffff:ffff:ffff, 2001:db8:1:2:0:0:0:0/64",
        "fe80::1%eth0, fe80:0:0:0:0:0:0:0/64",
        "::ffff:192.0.2.1, 192.0.2.1",
    })
    void normalise_ipLiterals_ipv4AsIsIpv6PerSlash64(String literal, String expected) {
        assertThat(ClientAddressFilter.normalise(literal)).contains(ClientAddress.of(expected));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {"", "unknown", "localhost", "abc.def", "256.1.1.1", "1.2.3", "1:2:3:4:5:6:7:8:9", "_hidden"})
    void normalise_notAnIpLiteral_emptyWithoutAskingDns(String text) {
        assertThat(ClientAddressFilter.normalise(text)).isEqualTo(Optional.empty());
    }
}
