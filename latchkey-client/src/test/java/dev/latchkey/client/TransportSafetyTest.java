package dev.latchkey.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * C10-01: transport fails closed. {@code http} only to loopback and only through the named
 * development option; TLS with the JDK's certificate and host name checks, which no option of the
 * SDK turns off.
 */
class TransportSafetyTest {
    private static final char[] PASSWORD = "changeit".toCharArray();

    @Test
    void build_httpWithoutDevOption_refused() {
        assertThatThrownBy(() -> LatchkeyClient.builder()
                        .baseUri("http://127.0.0.1:8080")
                        .tenant("acme")
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("https")
                .hasMessageContaining("allowInsecureHttpForLoopback()");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "http://latchkey.example.com",
                "http://10.0.0.1:8080",
                "http://127.0.0.1.nip.io",
                "http://localhost.example.com",
                "http://[::2]:8080",
                "http://0.0.0.0:8080",
                "http://127.0.0.256"
            })
    void build_httpToNonLoopbackEvenWithDevOption_refused(String baseUri) {
        assertThatThrownBy(() -> LatchkeyClient.builder()
                        .baseUri(baseUri)
                        .tenant("acme")
                        .allowInsecureHttpForLoopback()
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("https");
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://127.0.0.1:8080", "http://127.1.2.3", "http://localhost:9000/", "http://[::1]:8080"})
    void build_httpToLoopbackWithDevOption_accepted(String baseUri) {
        assertThatCode(() -> LatchkeyClient.builder()
                        .baseUri(baseUri)
                        .tenant("acme")
                        .allowInsecureHttpForLoopback()
                        .build()
                        .close())
                .doesNotThrowAnyException();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "ftp://latchkey.example.com",
                "https://user:pw@latchkey.example.com",
                "https://latchkey.example.com?x=1",
                "https://latchkey.example.com#f",
                "/relative",
                "HTTPS:opaque"
            })
    void build_malformedBaseUri_refused(String baseUri) {
        assertThatThrownBy(() ->
                        LatchkeyClient.builder().baseUri(baseUri).tenant("acme").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("baseUri");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "Acme",
                "acme\r\nX-Evil: 1",
                "../t-b",
                "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
            })
    void build_malformedTenant_refused(String tenant) {
        assertThatThrownBy(() -> LatchkeyClient.builder().tenant(tenant))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tenant");
    }

    @Test
    void exchange_selfSignedCertificate_failsClosedBeforeAnyRequest(@TempDir Path dir) throws Exception {
        KeyStore keys = keyStore(dir, "ip:127.0.0.1");
        List<String> received = new CopyOnWriteArrayList<>();
        HttpsServer server = httpsServer(keys, received);
        try (LatchkeyClient client = LatchkeyClient.builder()
                .baseUri(URI.create("https://127.0.0.1:" + server.getAddress().getPort()))
                .tenant("acme")
                .origin("https://panel.example.com")
                .build()) {
            assertThatThrownBy(() -> client.exchange("code-1"))
                    .isInstanceOf(LatchkeyUnreachableException.class)
                    .hasCauseInstanceOf(SSLHandshakeException.class)
                    .hasRootCauseInstanceOf(java.security.cert.CertPathBuilderException.class);
            assertThat(received).isEmpty();
        } finally {
            server.stop(0);
        }
    }

    @Test
    void exchange_trustedCertificateForAnotherHost_failsClosed(@TempDir Path dir) throws Exception {
        KeyStore wrongHost = keyStore(dir, "dns:wrong.example");
        List<String> received = new CopyOnWriteArrayList<>();
        HttpsServer server = httpsServer(wrongHost, received);
        try (HttpClient trusting = trustingOnly(wrongHost);
                LatchkeyClient client = LatchkeyClient.builder()
                        .baseUri(URI.create(
                                "https://127.0.0.1:" + server.getAddress().getPort()))
                        .tenant("acme")
                        .origin("https://panel.example.com")
                        .httpClient(trusting)
                        .build()) {
            assertThatThrownBy(() -> client.exchange("code-1"))
                    .isInstanceOf(LatchkeyUnreachableException.class)
                    .hasCauseInstanceOf(SSLHandshakeException.class);
            assertThat(received).isEmpty();
        } finally {
            server.stop(0);
        }
    }

    @Test
    void exchange_trustedCertificateForThisHost_connects(@TempDir Path dir) throws Exception {
        // The control for the two tests above: same server set-up, matching name, request arrives.
        KeyStore rightHost = keyStore(dir, "ip:127.0.0.1");
        List<String> received = new CopyOnWriteArrayList<>();
        HttpsServer server = httpsServer(rightHost, received);
        try (HttpClient trusting = trustingOnly(rightHost);
                LatchkeyClient client = LatchkeyClient.builder()
                        .baseUri(URI.create(
                                "https://127.0.0.1:" + server.getAddress().getPort()))
                        .tenant("acme")
                        .origin("https://panel.example.com")
                        .httpClient(trusting)
                        .build()) {
            assertThatThrownBy(() -> client.exchange("code-1")).isInstanceOf(UnexpectedResponseException.class);
            assertThat(received).containsExactly("POST /v1/sessions/exchange");
        } finally {
            server.stop(0);
        }
    }

    private static KeyStore keyStore(Path dir, String subjectAltName) throws Exception {
        Path file = dir.resolve("server.p12");
        Process keytool = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "keytool")
                                .toString(),
                        "-genkeypair",
                        "-alias",
                        "server",
                        "-keyalg",
                        "EC",
                        "-groupname",
                        "secp256r1",
                        "-dname",
                        "CN=latchkey-test",
                        "-ext",
                        "SAN=" + subjectAltName,
                        "-validity",
                        "2",
                        "-storetype",
                        "PKCS12",
                        "-keystore",
                        file.toString(),
                        "-storepass",
                        new String(PASSWORD))
                .redirectErrorStream(true)
                .start();
        String output = new String(keytool.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(keytool.exitValue()).as(output).isZero();
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            keys.load(in, PASSWORD);
        }
        return keys;
    }

    private static HttpsServer httpsServer(KeyStore keys, List<String> received) throws Exception {
        KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keyManagers.init(keys, PASSWORD);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(keyManagers.getKeyManagers(), null, null);
        HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(tls));
        server.createContext("/", exchange -> {
            try (exchange) {
                received.add(exchange.getRequestMethod() + " "
                        + exchange.getRequestURI().getPath());
                exchange.getRequestBody().readAllBytes();
                exchange.sendResponseHeaders(418, -1);
            }
        });
        server.start();
        return server;
    }

    /** A client that trusts exactly the server's certificate, with the JDK's host name check on. */
    private static HttpClient trustingOnly(KeyStore keys) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("server", keys.getCertificate("server"));
        TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trustManagers.init(trust);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, trustManagers.getTrustManagers(), null);
        return HttpClient.newBuilder()
                .sslContext(tls)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }
}
