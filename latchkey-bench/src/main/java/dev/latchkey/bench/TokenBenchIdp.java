package dev.latchkey.bench;

import dev.latchkey.testkit.MockIdp;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * The identity provider of {@code scripts/bench-tokens.sh}, in a JVM of its own so that the
 * Latchkey process whose memory the script reads holds nothing of it: a real OAuth 2 / OIDC server
 * (mock-oauth2-server) on loopback whose issuer {@value #TENANT_ISSUER} signs the users' and the
 * service's bearer tokens and whose issuer {@value #RESOURCE_ISSUER} is the authorization server of
 * the downstream resource a user connects.
 *
 * <p>Usage: {@code TokenBenchIdp DIR USER_TOKENS}. Writes to {@code DIR}: {@code user-tokens.txt}
 * (line {@code i} is a bearer token of subject {@code bench-user-i}), {@code service-token.txt} (a
 * client-credentials-shaped token of the service {@code chat-backend} with scope {@code
 * tokens:read}) and, last, {@code idp.properties} with both issuers. Tokens live six hours. Then
 * serves until the process is stopped.
 */
public final class TokenBenchIdp {
    static final String TENANT_ISSUER = "bench";
    static final String RESOURCE_ISSUER = "github";
    static final String SERVICE_CLIENT = "chat-backend";
    static final String AUDIENCE = "latchkey";
    private static final long TOKEN_LIFETIME_SECONDS = 6 * 3600;

    private TokenBenchIdp() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: TokenBenchIdp DIR USER_TOKENS");
            System.exit(2);
        }
        Path dir = Path.of(args[0]);
        int userTokens = Integer.parseInt(args[1]);
        if (userTokens < 1) {
            throw new IllegalArgumentException("USER_TOKENS must be at least 1 (user 0 connects over HTTP)");
        }
        Files.createDirectories(dir);
        MockIdp idp = MockIdp.start();
        Runtime.getRuntime().addShutdownHook(new Thread(idp::close));

        // The first token creates the issuer's signing key; only then is signing spread over threads.
        // mock-oauth2-server sets azp itself, so the service is named by client_id (as Okta does).
        String service = token(idp, SERVICE_CLIENT, Map.of("client_id", SERVICE_CLIENT, "scope", "tokens:read"));
        List<String> users = IntStream.range(0, userTokens)
                .parallel()
                .mapToObj(i -> token(idp, subject(i), Map.of("scope", "openid")))
                .toList();
        write(dir.resolve("user-tokens.txt"), String.join("\n", users) + "\n");
        write(dir.resolve("service-token.txt"), service + "\n");
        write(
                dir.resolve("idp.properties"),
                "tenantIssuer=" + idp.issuer(TENANT_ISSUER) + "\nresourceIssuer=" + idp.issuer(RESOURCE_ISSUER) + "\n");
        System.out.println("identity provider ready at " + idp.baseUri() + " (" + userTokens + " user tokens)");
        Thread.currentThread().join();
    }

    /** The subject of bench user {@code i} at the tenant's issuer. */
    static String subject(int i) {
        return "bench-user-" + i;
    }

    private static String token(MockIdp idp, String subject, Map<String, Object> claims) {
        return idp.server()
                .issueToken(TENANT_ISSUER, subject, AUDIENCE, claims, TOKEN_LIFETIME_SECONDS)
                .serialize();
    }

    /** Writes through a temporary file, so a reader polling for the file never sees half of it. */
    static void write(Path file, String text) throws IOException {
        Path partial = file.resolveSibling(file.getFileName() + ".partial");
        Files.writeString(partial, text, StandardCharsets.UTF_8);
        Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
