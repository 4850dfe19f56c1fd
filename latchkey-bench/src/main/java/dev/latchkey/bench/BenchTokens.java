package dev.latchkey.bench;

import com.nimbusds.jose.JWSAlgorithm;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;

/**
 * Writes the key set and tokens that {@code scripts/bench-verify.sh} sends to {@code latchkey
 * serve} and to Apache + mod_auth_openidc, so the HTTP benchmarks need no running IdP: the key set
 * is served as a static file. Usage: {@code java -cp benchmarks.jar dev.latchkey.bench.BenchTokens
 * DIR ISSUER DISTINCT WARMUP}. Files written in {@code DIR}, one token a line:
 *
 * <ul>
 *   <li>{@code jwks.json}: the public RS256 key ({@code kid} {@code bench-rs});
 *   <li>{@code token.txt}: one valid RS256 token;
 *   <li>{@code warmup.txt} and {@code tokens.txt}: {@code WARMUP} and {@code DISTINCT} further valid
 *       tokens, all different (same subject, fresh {@code jti}), kept apart so that the measured
 *       tokens were never seen during warm-up;
 *   <li>{@code bad-kid.txt}: 1 000 tokens signed by a key absent from the key set, half with a random
 *       unknown {@code kid}, half with none.
 * </ul>
 *
 * Tokens are valid for three hours.
 */
public final class BenchTokens {
    private static final Duration LIFETIME = Duration.ofHours(3);
    private static final int BAD_KID_TOKENS = 1_000;

    private BenchTokens() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 4) {
            throw new IllegalArgumentException("usage: BenchTokens DIR ISSUER DISTINCT WARMUP");
        }
        Path dir = Path.of(args[0]);
        String issuerId = args[1];
        int distinct = Integer.parseInt(args[2]);
        int warmup = Integer.parseInt(args[3]);
        Files.createDirectories(dir);
        BenchIssuer issuer = BenchIssuer.generate(issuerId, JWSAlgorithm.RS256, "bench-rs");
        BenchIssuer stranger = BenchIssuer.generate(issuerId, JWSAlgorithm.RS256, "stranger");
        Files.writeString(dir.resolve("jwks.json"), BenchIssuer.publicJwks(List.of(issuer)), StandardCharsets.UTF_8);
        write(dir.resolve("token.txt"), List.of(issuer.mint(LIFETIME, null)));
        write(dir.resolve("warmup.txt"), mint(issuer, warmup));
        write(dir.resolve("tokens.txt"), mint(issuer, distinct));
        write(
                dir.resolve("bad-kid.txt"),
                IntStream.range(0, BAD_KID_TOKENS)
                        .parallel()
                        .mapToObj(i -> stranger.mint(
                                LIFETIME, i % 2 == 0 ? UUID.randomUUID().toString() : ""))
                        .toList());
    }

    // Signing dominates (about a millisecond per RSA signature): use every core.
    private static List<String> mint(BenchIssuer issuer, int count) {
        return IntStream.range(0, count)
                .parallel()
                .mapToObj(i -> issuer.mint(LIFETIME, null))
                .toList();
    }

    private static void write(Path file, List<String> tokens) throws IOException {
        Files.write(file, tokens, StandardCharsets.UTF_8);
    }
}
