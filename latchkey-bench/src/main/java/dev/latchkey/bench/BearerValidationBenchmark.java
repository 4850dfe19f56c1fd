package dev.latchkey.bench;

import com.nimbusds.jose.JWSAlgorithm;
import com.sun.net.httpserver.HttpServer;
import dev.latchkey.core.inbound.BearerValidator;
import dev.latchkey.core.inbound.IssuerPolicy;
import dev.latchkey.core.inbound.Validation;
import dev.latchkey.core.inbound.ValidatorSettings;
import dev.latchkey.core.secret.Secret;
import dev.latchkey.core.tenant.TenantId;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Throughput of {@link BearerValidator#validate} for a signed access token, RS256 (RSA 2048) and
 * ES256 (P-256). {@code cached}: the same valid token every time, answered from the validated-token
 * cache after its first verification. {@code uncached}: a different token on every call from a
 * pool of {@value #POOL} pre-signed distinct tokens, with the token cache disabled ({@code
 * tokenCacheSize} 0), so every call parses, selects the key and verifies the signature and claims.
 * The issuer's key set is served over HTTP on loopback by the JDK's server and fetched once per
 * validator, before measurement.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
// JMH creates the state and fills these fields in @Setup before any benchmark method runs.
@SuppressWarnings("NullAway.Init")
public class BearerValidationBenchmark {
    static final int POOL = 4_096;
    private static final TenantId TENANT = TenantId.of("bench");

    @Param({"RS256", "ES256"})
    public String algorithm;

    private HttpServer jwksServer;
    private BearerValidator cachedValidator;
    private BearerValidator uncachedValidator;
    private Secret token;
    private List<Secret> pool;
    private final AtomicInteger jwksFetches = new AtomicInteger();

    @Setup(Level.Trial)
    public void start() throws IOException {
        JWSAlgorithm alg = JWSAlgorithm.parse(algorithm);
        BenchIssuer issuer = BenchIssuer.generate("https://idp.bench.example/realms/bench", alg, "bench-key");
        byte[] jwks = BenchIssuer.publicJwks(List.of(issuer)).getBytes(StandardCharsets.UTF_8);
        jwksServer = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        jwksServer.createContext("/jwks", exchange -> {
            jwksFetches.incrementAndGet();
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, jwks.length);
            try (OutputStream body = exchange.getResponseBody()) {
                body.write(jwks);
            }
        });
        jwksServer.start();
        URI jwksUri = URI.create("http://127.0.0.1:" + jwksServer.getAddress().getPort() + "/jwks");
        Map<TenantId, List<IssuerPolicy>> policies = Map.of(
                TENANT,
                List.of(IssuerPolicy.forIssuer(issuer.issuer())
                        .jwksUri(jwksUri)
                        .audience(BenchIssuer.AUDIENCE)
                        .algorithms(alg)
                        .allowInsecureLoopback(true)
                        .build()));
        ValidatorSettings defaults = ValidatorSettings.defaults();
        ValidatorSettings noTokenCache = new ValidatorSettings(
                defaults.keyCacheTtl(),
                defaults.refetchCooldown(),
                defaults.outageTolerance(),
                defaults.httpTimeout(),
                defaults.maxDocumentBytes(),
                0,
                defaults.tokenCacheTtl());
        cachedValidator = new BearerValidator(policies, Clock.systemUTC(), BearerValidator.Listener.NONE, defaults);
        uncachedValidator =
                new BearerValidator(policies, Clock.systemUTC(), BearerValidator.Listener.NONE, noTokenCache);
        // Tokens outlive any run of this benchmark; their keys are fetched here, not while measuring.
        Duration lifetime = Duration.ofHours(2);
        token = Secret.of(issuer.mint(lifetime, null));
        pool = IntStream.range(0, POOL)
                .mapToObj(i -> Secret.of(issuer.mint(lifetime, null)))
                .toList();
        requireValid(cachedValidator.validate(TENANT, token));
        requireValid(uncachedValidator.validate(TENANT, pool.getFirst()));
    }

    @TearDown(Level.Trial)
    public void stop() {
        jwksServer.stop(0);
        if (jwksFetches.get() > 2) {
            throw new IllegalStateException(
                    "key set fetched " + jwksFetches.get() + " times, expected once per validator");
        }
    }

    /** Each thread walks the token pool from its own position. */
    @State(Scope.Thread)
    public static class Cursor {
        int next;
    }

    @Benchmark
    public Validation cached() {
        return cachedValidator.validate(TENANT, token);
    }

    @Benchmark
    public Validation uncached(Cursor cursor) {
        Validation outcome = uncachedValidator.validate(TENANT, pool.get(cursor.next));
        cursor.next = (cursor.next + 1) % POOL;
        return outcome;
    }

    private static void requireValid(Validation outcome) {
        if (!(outcome instanceof Validation.Valid)) {
            throw new IllegalStateException("benchmark token not accepted: " + outcome);
        }
    }
}
