package dev.latchkey.core.inbound;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** C1-24: the discovery document must name the configured issuer and a permitted key URL. */
class DiscoveryTest extends ValidatorFixture {

    private BearerValidator discovering(String issuer) {
        IssuerPolicy policy = IssuerPolicy.forIssuer(issuer)
                .audience(Tokens.AUDIENCE)
                .allowInsecureLoopback(true)
                .build();
        return new BearerValidator(Map.of(A, List.of(policy)), clock, recordingListener());
    }

    private String tokenOf(String issuer) {
        return Tokens.signRs256(K1, Tokens.claims(issuer, clock.instant()));
    }

    @Test
    void validate_discoveryNamesConfiguredIssuer_keysFromItsJwksUri() {
        String issuer = keysA.origin();
        keysA.serveDiscovery("{\"issuer\":\"" + issuer + "\",\"jwks_uri\":\"" + keysA.uri(KeyServer.JWKS_PATH) + "\"}");
        validator = discovering(issuer);

        assertValid(validate(A, tokenOf(issuer)));
        assertValid(validate(A, tokenOf(issuer)));
        assertThat(keysA.hits(KeyServer.DISCOVERY_PATH)).isEqualTo(1);
        assertThat(keysA.hits(KeyServer.JWKS_PATH)).isEqualTo(1);
    }

    @Test
    void validate_concurrentFirstTokens_discoverAndFetchOnce() throws Exception {
        String issuer = keysA.origin();
        keysA.serveDiscovery("{\"issuer\":\"" + issuer + "\",\"jwks_uri\":\"" + keysA.uri(KeyServer.JWKS_PATH) + "\"}");
        validator = discovering(issuer);
        List<String> tokens =
                IntStream.range(0, 32).mapToObj(i -> tokenOf(issuer)).toList();
        CountDownLatch start = new CountDownLatch(1);
        try (var pool = Executors.newFixedThreadPool(16)) {
            List<Future<Validation>> outcomes = tokens.stream()
                    .map(token -> pool.submit(() -> {
                        start.await();
                        return validate(A, token);
                    }))
                    .toList();
            start.countDown();
            for (Future<Validation> outcome : outcomes) {
                assertValid(outcome.get());
            }
        }
        assertThat(keysA.hits(KeyServer.DISCOVERY_PATH)).isEqualTo(1);
        assertThat(keysA.hits(KeyServer.JWKS_PATH)).isEqualTo(1);
    }

    @Test
    void validate_discoveryNamesAnotherIssuer_rejectedWithoutFetchingKeys() {
        String issuer = keysA.origin();
        for (String named : List.of("https://evil.test", issuer + "/")) {
            keysA.serveDiscovery(
                    "{\"issuer\":\"" + named + "\",\"jwks_uri\":\"" + keysA.uri(KeyServer.JWKS_PATH) + "\"}");
            validator = discovering(issuer);

            assertInvalid(validate(A, tokenOf(issuer)), "discovery_issuer_mismatch");
        }
        assertThat(keysA.hits(KeyServer.JWKS_PATH)).isZero();
        assertThat(events).contains("rejected t-a discovery_issuer_mismatch");
    }

    @Test
    void validate_discoveredKeyUrlNotPermitted_rejected() {
        String issuer = keysA.origin();
        keysA.serveDiscovery("{\"issuer\":\"" + issuer + "\",\"jwks_uri\":\"http://10.0.0.5/keys\"}");
        validator = discovering(issuer);

        assertInvalid(validate(A, tokenOf(issuer)), "key_location_refused");
    }

    @Test
    void validate_discoveryDown_unavailableAndRetriedOnlyAfterCooldown() {
        String issuer = keysA.origin();
        keysA.answerWith(503);
        validator = discovering(issuer);

        for (int i = 0; i < 50; i++) {
            assertThat(validate(A, tokenOf(issuer))).isInstanceOf(Validation.Unavailable.class);
        }
        assertThat(keysA.hits(KeyServer.DISCOVERY_PATH)).isEqualTo(1);

        keysA.answerWith(200);
        keysA.serveDiscovery("{\"issuer\":\"" + issuer + "\",\"jwks_uri\":\"" + keysA.uri(KeyServer.JWKS_PATH) + "\"}");
        clock.advance(ValidatorSettings.defaults().refetchCooldown());
        assertValid(validate(A, tokenOf(issuer)));
        assertThat(keysA.hits(KeyServer.DISCOVERY_PATH)).isEqualTo(2);
    }
}
