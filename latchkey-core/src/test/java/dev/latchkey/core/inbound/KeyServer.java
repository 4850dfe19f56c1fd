package dev.latchkey.core.inbound;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP server on 127.0.0.1 that publishes a key set at {@code /jwks} (and, when set, a
 * discovery document) and counts every request by path. Also serves as the "attacker" server a
 * hostile {@code jku} or {@code x5u} points at, to prove it is never contacted.
 */
final class KeyServer implements AutoCloseable {
    static final String JWKS_PATH = "/jwks";
    static final String DISCOVERY_PATH = "/.well-known/openid-configuration";

    private final HttpServer server;
    private final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();
    private volatile String jwks = "{\"keys\":[]}";
    private volatile String discovery = "";
    private volatile int status = 200;

    private KeyServer(HttpServer server) {
        this.server = server;
        server.createContext("/", this::handle);
        server.start();
    }

    static KeyServer start() {
        try {
            return new KeyServer(HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Publishes the public parts of {@code keys} at {@link #JWKS_PATH}. */
    void publish(JWK... keys) {
        jwks = new JWKSet(List.of(keys)).toPublicJWKSet().toString();
    }

    void serveDiscovery(String document) {
        discovery = document;
    }

    /** Answers every request with {@code httpStatus} (200 restores normal service). */
    void answerWith(int httpStatus) {
        status = httpStatus;
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    /** The origin, e.g. {@code http://127.0.0.1:40123}, usable as a loopback issuer. */
    String origin() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    int hits(String path) {
        AtomicInteger count = hits.get(path);
        return count == null ? 0 : count.get();
    }

    int totalHits() {
        return hits.values().stream().mapToInt(AtomicInteger::get).sum();
    }

    private void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        hits.computeIfAbsent(path, ignored -> new AtomicInteger()).incrementAndGet();
        String body = switch (path) {
            case JWKS_PATH -> jwks;
            case DISCOVERY_PATH -> discovery;
            default -> "";
        };
        int code = status != 200 ? status : body.isEmpty() ? 404 : 200;
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(code, code == 200 ? bytes.length : -1);
        try (OutputStream out = exchange.getResponseBody()) {
            if (code == 200) {
                out.write(bytes);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
