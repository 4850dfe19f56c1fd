package dev.latchkey.testkit;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.MalformedURLException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * A small MCP-style protected resource on a random port of 127.0.0.1: a streamable-HTTP endpoint
 * at {@code /mcp} that accepts only access tokens of one issuer, and its RFC 9728 metadata at
 * {@code /.well-known/oauth-protected-resource/mcp}. As the MCP authorization specification asks,
 * a request without a valid token gets {@code 401} with {@code WWW-Authenticate: Bearer
 * resource_metadata="…"}, so a client can discover the authorization server from the challenge.
 *
 * <p>A token is accepted when its signature verifies with the issuer's JWKS, its {@code iss} is
 * exactly the issuer, it is unexpired (no clock skew), it is not on the reject list, and — when
 * set — it carries the required audience and scopes. {@link #reject(String)} simulates a
 * downstream that revoked a token that has not yet expired. Thread-safe.
 */
public final class McpResourceServer implements AutoCloseable {
    private static final String MCP_PATH = "/mcp";
    private static final String METADATA_PATH = "/.well-known/oauth-protected-resource" + MCP_PATH;

    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final String issuer;
    private final List<String> scopesSupported;
    private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
    private final Set<String> rejected = ConcurrentHashMap.newKeySet();
    private volatile Set<String> requiredScopes = Set.of();
    private volatile @Nullable String requiredAudience;
    private volatile @Nullable URI advertisedResource;
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger unauthorized = new AtomicInteger();
    private final AtomicInteger forbidden = new AtomicInteger();
    private final AtomicInteger metadataRequests = new AtomicInteger();

    private McpResourceServer(HttpServer server, String issuer, URI jwksUri, List<String> scopesSupported) {
        this.server = server;
        this.issuer = issuer;
        this.scopesSupported = List.copyOf(scopesSupported);
        JWKSource<SecurityContext> keys;
        try {
            keys = JWKSourceBuilder.<SecurityContext>create(jwksUri.toURL()).build();
        } catch (MalformedURLException e) {
            throw new IllegalArgumentException("jwksUri is not a URL", e);
        }
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(
                Set.of(
                        JWSAlgorithm.RS256,
                        JWSAlgorithm.RS384,
                        JWSAlgorithm.RS512,
                        JWSAlgorithm.PS256,
                        JWSAlgorithm.ES256,
                        JWSAlgorithm.ES384),
                keys));
        DefaultJWTClaimsVerifier<SecurityContext> claims = new DefaultJWTClaimsVerifier<>(
                new JWTClaimsSet.Builder().issuer(issuer).build(), Set.of("sub", "exp"));
        claims.setMaxClockSkew(0);
        processor.setJWTClaimsSetVerifier(claims);
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    /**
     * Starts a resource that trusts {@code issuer}, verifying signatures with the keys at {@code
     * jwksUri}, and advertises {@code scopesSupported} in its metadata.
     */
    public static McpResourceServer start(String issuer, URI jwksUri, String... scopesSupported) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            return new McpResourceServer(server, issuer, jwksUri, Arrays.asList(scopesSupported));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts a resource that trusts {@code issuerId} of {@code idp}. */
    public static McpResourceServer start(MockIdp idp, String issuerId, String... scopesSupported) {
        return start(idp.issuer(issuerId), idp.jwksUri(issuerId), scopesSupported);
    }

    /** The MCP endpoint, {@code http://127.0.0.1:port/mcp}: also the RFC 9728 resource identifier. */
    public URI url() {
        return URI.create(origin() + MCP_PATH);
    }

    /** Where the protected-resource metadata is served (and what the 401 challenge names). */
    public URI metadataUrl() {
        return URI.create(origin() + METADATA_PATH);
    }

    /** The issuer this resource trusts and names as its authorization server. */
    public String issuer() {
        return issuer;
    }

    /** From now on {@code accessToken} is refused with {@code invalid_token}, though unexpired. */
    public void reject(String accessToken) {
        rejected.add(accessToken);
    }

    /**
     * From now on a token must carry every one of {@code scopes} in its "scope" (or "scp") claim,
     * else the answer is {@code 403 insufficient_scope} naming them all; no argument lifts the
     * requirement.
     */
    public void requireScope(String... scopes) {
        requiredScopes = Collections.unmodifiableSet(new LinkedHashSet<>(Arrays.asList(scopes)));
    }

    /** From now on a token's {@code aud} must contain {@code audience} (RFC 8707); null lifts it. */
    public void requireAudience(@Nullable String audience) {
        requiredAudience = audience;
    }

    /**
     * From now on the metadata's {@code resource} names {@code resource} instead of {@link #url()}:
     * a misconfigured or impersonating server, which a client must refuse (RFC 9728 §3.3); null
     * restores the truth.
     */
    public void advertiseResource(@Nullable URI resource) {
        advertisedResource = resource;
    }

    /** Requests received at {@code /mcp}, whatever their outcome. */
    public int requests() {
        return requests.get();
    }

    /** {@code 401} answers given at {@code /mcp}. */
    public int unauthorized() {
        return unauthorized.get();
    }

    /** {@code 403 insufficient_scope} answers given at {@code /mcp}. */
    public int forbidden() {
        return forbidden.get();
    }

    /** Requests received for the protected-resource metadata. */
    public int metadataRequests() {
        return metadataRequests.get();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private String origin() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getRawPath();
            if (path.equals(METADATA_PATH) && exchange.getRequestMethod().equals("GET")) {
                metadataRequests.incrementAndGet();
                Map<String, Object> metadata = new LinkedHashMap<>();
                URI advertised = advertisedResource;
                metadata.put("resource", (advertised == null ? url() : advertised).toString());
                metadata.put("authorization_servers", List.of(issuer));
                metadata.put("scopes_supported", scopesSupported);
                metadata.put("bearer_methods_supported", List.of("header"));
                send(exchange, 200, JSONObjectUtils.toJSONString(metadata));
            } else if (path.equals(MCP_PATH)) {
                requests.incrementAndGet();
                mcp(exchange);
            } else {
                send(exchange, 404, "{\"error\":\"not_found\"}");
            }
        }
    }

    private void mcp(HttpExchange exchange) throws IOException {
        String body;
        try (InputStream in = exchange.getRequestBody()) {
            body = new String(in.readNBytes(64 * 1024), StandardCharsets.UTF_8);
        }
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            // RFC 6750 §3.1: no error code when the request carried no token.
            challenge(exchange, 401, "resource_metadata=\"" + metadataUrl() + "\"");
            return;
        }
        String token = authorization.substring(7).trim();
        JWTClaimsSet claims = verify(token);
        if (claims == null) {
            challenge(
                    exchange,
                    401,
                    "error=\"invalid_token\", error_description=\"the access token is invalid\", resource_metadata=\""
                            + metadataUrl() + "\"");
            return;
        }
        Set<String> required = requiredScopes;
        if (!scopesOf(claims).containsAll(required)) {
            forbidden.incrementAndGet();
            challenge(
                    exchange,
                    403,
                    "error=\"insufficient_scope\", scope=\"" + String.join(" ", required) + "\", resource_metadata=\""
                            + metadataUrl() + "\"");
            return;
        }
        if (!exchange.getRequestMethod().equals("POST")
                && !exchange.getRequestMethod().equals("GET")) {
            send(exchange, 405, "{\"error\":\"method_not_allowed\"}");
            return;
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("ok", true);
        result.put("sub", claims.getSubject());
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("jsonrpc", "2.0");
        Object id = requestId(body);
        if (id != null) {
            answer.put("id", id);
        }
        answer.put("result", result);
        send(exchange, 200, JSONObjectUtils.toJSONString(answer));
    }

    private @Nullable JWTClaimsSet verify(String token) {
        if (rejected.contains(token)) {
            return null;
        }
        try {
            JWTClaimsSet claims = processor.process(token, null);
            String audience = requiredAudience;
            if (audience != null && !claims.getAudience().contains(audience)) {
                return null;
            }
            return claims;
        } catch (ParseException | BadJOSEException | JOSEException e) {
            return null;
        }
    }

    private static Set<String> scopesOf(JWTClaimsSet claims) {
        Set<String> scopes = new LinkedHashSet<>();
        Object scope = claims.getClaim("scope");
        if (scope instanceof String text) {
            scopes.addAll(Arrays.asList(text.split(" ", -1)));
        }
        Object scp = claims.getClaim("scp");
        if (scp instanceof List<?> list) {
            list.forEach(s -> scopes.add(String.valueOf(s)));
        } else if (scp instanceof String text) {
            scopes.addAll(Arrays.asList(text.split(" ", -1)));
        }
        scopes.remove("");
        return scopes;
    }

    private static @Nullable Object requestId(String body) {
        try {
            return JSONObjectUtils.parse(body).get("id");
        } catch (ParseException | RuntimeException e) {
            return null;
        }
    }

    private void challenge(HttpExchange exchange, int status, String parameters) throws IOException {
        if (status == 401) {
            unauthorized.incrementAndGet();
        }
        exchange.getResponseHeaders().add("WWW-Authenticate", "Bearer " + parameters);
        send(exchange, status, status == 401 ? "{\"error\":\"unauthorized\"}" : "{\"error\":\"forbidden\"}");
    }

    private static void send(HttpExchange exchange, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
