package dev.latchkey.server;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.UnaryOperator;

/** A started {@link LatchkeyServer} on a random loopback port with a JDK client pointed at it. */
final class TestServer implements AutoCloseable {
    static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(10);

    final LatchkeyServer server;
    final PrometheusMeterRegistry registry;
    final int port;
    final HttpClient client;

    private TestServer(LatchkeyServer server, PrometheusMeterRegistry registry, int port) {
        this.server = server;
        this.registry = registry;
        this.port = port;
        this.client = HttpClient.newBuilder().connectTimeout(CLIENT_TIMEOUT).build();
    }

    static TestServer start() {
        return start(UnaryOperator.identity());
    }

    static TestServer start(UnaryOperator<LatchkeyServer.Builder> options) {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        LatchkeyServer server = options.apply(LatchkeyServer.builder()
                        .host("127.0.0.1")
                        .port(0)
                        .meterRegistry(registry)
                        .drainTimeout(Duration.ofSeconds(5)))
                .build();
        return new TestServer(server, registry, server.start());
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(uri(path)).timeout(CLIENT_TIMEOUT);
    }

    HttpResponse<String> get(String path) {
        return send(request(path).GET().build());
    }

    HttpResponse<String> send(HttpRequest request) {
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        // Closing the client first closes its idle keep-alive connections, which Jetty's graceful
        // stop would otherwise wait out for the connector's shutdown idle timeout.
        client.close();
        server.stop();
        registry.close();
    }
}
