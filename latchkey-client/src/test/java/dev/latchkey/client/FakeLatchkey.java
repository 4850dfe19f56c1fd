package dev.latchkey.client;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * Latchkey's session and token contract (DESIGN.md "HTTP contract") played by a real loopback
 * HTTP server: one-time codes, rotating refresh tokens with family revocation on reuse (C4-06),
 * bearer checks on every other route, and replies a test can script per path. Every request is
 * recorded. Times are the real clock, because the JDK server stamps every answer's {@code Date}
 * with it; tests move the client's clock instead.
 */
final class FakeLatchkey implements AutoCloseable {
    static final String TENANT = "acme";
    static final String ORIGIN = "https://panel.example.com";
    static final String USER = "u-1";

    /** One request as the server saw it. */
    record Recorded(String method, String rawPath, Map<String, List<String>> headers, String body) {
        @Nullable
        String header(String name) {
            List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
            return values == null || values.isEmpty() ? null : values.get(0);
        }

        @Nullable
        String bearer() {
            String authorization = header("Authorization");
            return authorization != null && authorization.startsWith("Bearer ")
                    ? authorization.substring("Bearer ".length())
                    : null;
        }
    }

    /** A scripted answer. */
    record Reply(int status, Map<String, String> headers, String body) {
        static Reply json(int status, String body) {
            return new Reply(status, Map.of("Content-Type", "application/json"), body);
        }

        Reply withHeader(String name, String value) {
            Map<String, String> more = new LinkedHashMap<>(headers);
            more.put(name, value);
            return new Reply(status, more, body);
        }
    }

    private record RefreshState(String family, String userId, boolean spent) {}

    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final ConcurrentLinkedDeque<Recorded> requests = new ConcurrentLinkedDeque<>();
    private final Map<String, Deque<Reply>> scripted = new ConcurrentHashMap<>();
    private final Set<String> codes = ConcurrentHashMap.newKeySet();
    private final Map<String, RefreshState> refreshTokens = new ConcurrentHashMap<>();
    private final Map<String, String> accessTokens = new ConcurrentHashMap<>();
    private final Set<String> issued = ConcurrentHashMap.newKeySet();
    private final AtomicInteger serial = new AtomicInteger();
    private final AtomicInteger reuses = new AtomicInteger();
    private volatile Duration tokenLifetime = Duration.ofMinutes(10);
    private volatile @Nullable String latestRefreshToken;
    private volatile @Nullable String latestAccessToken;

    FakeLatchkey() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    URI baseUri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** A client of this server for the test tenant and panel origin. */
    LatchkeyClient.Builder client() {
        return LatchkeyClient.builder()
                .baseUri(baseUri())
                .tenant(TENANT)
                .origin(ORIGIN)
                .allowInsecureHttpForLoopback();
    }

    /** A new one-time code. */
    String code() {
        String code = "code-" + serial.incrementAndGet();
        codes.add(code);
        return code;
    }

    void tokenLifetime(Duration lifetime) {
        this.tokenLifetime = lifetime;
    }

    /** Answers the next request to {@code rawPath} with {@code reply} instead of the contract. */
    void enqueue(String rawPath, Reply reply) {
        scripted.computeIfAbsent(rawPath, p -> new ConcurrentLinkedDeque<>()).add(reply);
    }

    /** Makes every bearer issued so far invalid, as if they had expired on the server. */
    void expireAccessTokens() {
        accessTokens.clear();
    }

    List<Recorded> requests() {
        return List.copyOf(requests);
    }

    List<Recorded> requests(Predicate<Recorded> filter) {
        return requests.stream().filter(filter).toList();
    }

    List<Recorded> refreshes() {
        return requests(r -> r.rawPath().equals("/v1/sessions/refresh"));
    }

    /** The refresh token each refresh request presented, in order. */
    List<String> presentedRefreshTokens() {
        return refreshes().stream()
                .map(r -> Json.requiredString(
                        Json.parseObject(r.body().getBytes(StandardCharsets.UTF_8)), "refreshToken"))
                .toList();
    }

    List<Recorded> apiCalls(String rawPath) {
        return requests(r -> r.rawPath().equals(rawPath));
    }

    /** How many times a spent refresh token was presented (each revoked its family). */
    int reuses() {
        return reuses.get();
    }

    @Nullable
    String latestRefreshToken() {
        return latestRefreshToken;
    }

    @Nullable
    String latestAccessToken() {
        return latestAccessToken;
    }

    /** Every token this server issued, to check that none leaks. */
    Set<String> issuedSecrets() {
        return Set.copyOf(issued);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.close();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] bodyBytes = exchange.getRequestBody().readAllBytes();
            Map<String, List<String>> headers = new LinkedHashMap<>();
            exchange.getRequestHeaders()
                    .forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT), List.copyOf(values)));
            Recorded request = new Recorded(
                    exchange.getRequestMethod(),
                    exchange.getRequestURI().getRawPath(),
                    headers,
                    new String(bodyBytes, StandardCharsets.UTF_8));
            requests.add(request);
            Deque<Reply> queue = scripted.get(request.rawPath());
            Reply reply = queue == null ? null : queue.poll();
            if (reply == null) {
                reply = answer(request);
            }
            reply.headers()
                    .forEach((name, value) -> exchange.getResponseHeaders().add(name, value));
            byte[] out = reply.body().getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(reply.status(), out.length == 0 ? -1 : out.length);
            if (out.length > 0) {
                try (OutputStream body = exchange.getResponseBody()) {
                    body.write(out);
                }
            }
        }
    }

    private Reply answer(Recorded request) {
        if (!TENANT.equals(request.header("X-Tenant-Id"))) {
            return Reply.json(400, "{\"error\":\"invalid_request\",\"error_description\":\"X-Tenant-Id\"}");
        }
        return switch (request.rawPath()) {
            case "/v1/sessions/exchange" -> exchange(request);
            case "/v1/sessions/refresh" -> refresh(request);
            default -> authenticated(request);
        };
    }

    private Reply exchange(Recorded request) {
        if (!ORIGIN.equals(request.header("Origin")) || !"POST".equals(request.method())) {
            return Reply.json(403, "{\"error\":\"invalid_request\"}");
        }
        String code = Json.requiredString(Json.parseObject(request.body().getBytes(StandardCharsets.UTF_8)), "code");
        if (!codes.remove(code)) {
            return Reply.json(400, "{\"error\":\"invalid_grant\",\"error_description\":\"unknown, used, or expired\"}");
        }
        return issue("family-" + serial.incrementAndGet(), USER);
    }

    private Reply refresh(Recorded request) {
        Map<String, Object> body = Json.parseObject(request.body().getBytes(StandardCharsets.UTF_8));
        String presented = Json.requiredString(body, "refreshToken");
        synchronized (refreshTokens) {
            RefreshState state = refreshTokens.get(presented);
            if (state == null) {
                return Reply.json(401, "{\"error\":\"invalid_grant\"}");
            }
            if (state.spent()) {
                // C4-06: reuse of a spent token revokes the whole family.
                reuses.incrementAndGet();
                refreshTokens.replaceAll((token, s) ->
                        s.family().equals(state.family()) ? new RefreshState(s.family(), s.userId(), true) : s);
                accessTokens.clear();
                return Reply.json(401, "{\"error\":\"invalid_grant\",\"error_description\":\"reused\"}");
            }
            refreshTokens.put(presented, new RefreshState(state.family(), state.userId(), true));
            return issue(state.family(), state.userId());
        }
    }

    private Reply issue(String family, String userId) {
        int n = serial.incrementAndGet();
        String access = "at-" + n + "-secretaccess";
        String refresh = "rt-" + n + "-secretrefresh";
        Instant expiresAt = Instant.now().plus(tokenLifetime);
        refreshTokens.put(refresh, new RefreshState(family, userId, false));
        issued.add(access);
        issued.add(refresh);
        accessTokens.put(access, userId);
        latestAccessToken = access;
        latestRefreshToken = refresh;
        return Reply.json(
                        200,
                        "{\"token\":\"" + access + "\",\"refreshToken\":\"" + refresh + "\",\"user\":{\"id\":\""
                                + userId + "\",\"tenant\":\"" + TENANT
                                + "\",\"email\":\"ada@example.com\",\"groups\":[\"staff\"],\"roles\":[\"admin\"]},"
                                + "\"expiresAt\":" + expiresAt.toEpochMilli() + "}")
                .withHeader("Cache-Control", "no-store");
    }

    private Reply authenticated(Recorded request) {
        String bearer = request.bearer();
        if (bearer == null || !accessTokens.containsKey(bearer)) {
            return Reply.json(401, "{\"error\":\"invalid_token\"}")
                    .withHeader(
                            "WWW-Authenticate",
                            "Bearer error=\"invalid_token\", error_description=\"expired, or revoked\"");
        }
        if (request.rawPath().startsWith("/v1/tokens/")) {
            return Reply.json(
                    200,
                    "{\"access_token\":\"downstream-secret-1\",\"token_type\":\"Bearer\",\"expires_at\":\""
                            + Instant.now().plus(Duration.ofHours(1)) + "\",\"scope\":\"repo read:org\"}");
        }
        Map<String, String> answer = new LinkedHashMap<>();
        answer.put("user", accessTokens.getOrDefault(bearer, ""));
        answer.put("echo", request.body());
        return Reply.json(200, Json.writeObject(answer));
    }

    /** A second server that only records what reaches it: the far end of a redirect. */
    static final class Elsewhere implements AutoCloseable {
        private final HttpServer server;
        private final List<String> received = java.util.Collections.synchronizedList(new ArrayList<>());

        Elsewhere() throws IOException {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.createContext("/", exchange -> {
                try (exchange) {
                    received.add(exchange.getRequestMethod() + " " + exchange.getRequestURI() + " auth="
                            + exchange.getRequestHeaders().getFirst("Authorization"));
                    exchange.getRequestBody().readAllBytes();
                    exchange.sendResponseHeaders(200, -1);
                }
            });
            server.start();
        }

        String url(String path) {
            return "http://127.0.0.1:" + server.getAddress().getPort() + path;
        }

        List<String> received() {
            return List.copyOf(received);
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }
}
