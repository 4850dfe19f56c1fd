package dev.latchkey.bench;

import dev.latchkey.app.Application;
import dev.latchkey.app.config.ConfigLoader;
import dev.latchkey.app.config.LatchkeyConfig;
import dev.latchkey.core.crypto.Keyset;
import dev.latchkey.core.grant.EncryptedTokenStore;
import dev.latchkey.core.grant.GrantKey;
import dev.latchkey.core.grant.GrantLookup;
import dev.latchkey.core.grant.ResourceName;
import dev.latchkey.core.grant.StoreResult;
import dev.latchkey.core.grant.TokenSet;
import dev.latchkey.core.identity.ExternalIdentity;
import dev.latchkey.core.identity.User;
import dev.latchkey.core.identity.UserDirectory;
import dev.latchkey.core.identity.UserId;
import dev.latchkey.core.secret.Secret;
import dev.latchkey.core.tenant.TenantId;
import dev.latchkey.store.JdbcUserDirectory;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * The Latchkey of {@code scripts/bench-tokens.sh}: {@link Application#start} (wired as {@code
 * latchkey serve} wires it) on embedded H2 or on a fresh PostgreSQL database, with one tenant whose
 * users' bearer tokens come from {@link TokenBenchIdp}, one trusted backend service ({@code
 * chat-backend}, scope {@code tokens:read}) and one resource, {@code github}, whose authorization
 * server is the same identity provider. It runs in two processes, so that the serving one holds
 * nothing left over from seeding:
 *
 * <ul>
 *   <li>{@code TokenServerHarness seed DIR h2|postgresql GRANTS PORT}, after {@link TokenBenchIdp}
 *       wrote {@code DIR}: creates the database and starts the application on it. User 0 connects
 *       {@code github} through HTTP as a user would (authorize, consent at the IdP, callback).
 *       Users 1 to GRANTS-1 are then seeded directly: those with a bearer token in {@code
 *       user-tokens.txt} get an identity binding, as just-in-time provisioning would make it, and
 *       every one gets a grant stored through the application's own {@link EncryptedTokenStore}
 *       (its keyset, the key shape (tenant, user id, resource)) holding random tokens of the same
 *       lengths as user 0's, fresh for a day. Writes to {@code DIR/<database>/}: {@code users.txt}
 *       (every user id, user 0 first), {@code db-stats.txt} (rows and bytes of {@code token_sets}),
 *       the keyset and the database's address; stops the application and writes {@code seeded}.
 *       It then owns the database until it is stopped, and drops it (PostgreSQL) or deletes its
 *       files (H2).
 *   <li>{@code TokenServerHarness serve DIR h2|postgresql PORT}: starts the application on the
 *       seeded database with the same keyset, checks that user 0, the last user with a bearer token
 *       and the service acting for the last user all get a token, writes {@code ready} and serves
 *       until it is stopped.
 * </ul>
 */
public final class TokenServerHarness {
    private static final TenantId TENANT = TenantId.of("bench");
    private static final ResourceName RESOURCE = ResourceName.of("github");
    private static final Pattern JSON_STRING = Pattern.compile("\"%s\":\"([^\"]+)\"");
    private static final char[] BASE64URL =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".toCharArray();
    private static final int SEEDING_THREADS = 8;
    private static final String USAGE = "usage: TokenServerHarness seed DIR h2|postgresql GRANTS PORT\n"
            + "       TokenServerHarness serve DIR h2|postgresql PORT";

    private final HttpClient http = HttpClient.newHttpClient();
    private final int port;

    private TokenServerHarness(int port) {
        this.port = port;
    }

    public static void main(String[] args) {
        try {
            if (args.length == 5
                    && "seed".equals(args[0])
                    && Set.of("h2", "postgresql").contains(args[2])) {
                seed(Path.of(args[1]), args[2], Integer.parseInt(args[3]), Integer.parseInt(args[4]));
            } else if (args.length == 4
                    && "serve".equals(args[0])
                    && Set.of("h2", "postgresql").contains(args[2])) {
                serve(Path.of(args[1]), args[2], Integer.parseInt(args[3]));
            } else {
                System.err.println(USAGE);
                System.exit(2);
            }
        } catch (Exception | Error e) {
            // The server's threads would keep the JVM alive: stop it, so the script sees the failure.
            e.printStackTrace();
            System.exit(1);
        }
    }

    private static void seed(Path dir, String database, int grants, int port) throws Exception {
        if (grants < 1) {
            throw new IllegalArgumentException("GRANTS must be at least 1");
        }
        Properties idp = properties(dir.resolve("idp.properties"));
        String tenantIssuer = idp.getProperty("tenantIssuer");
        List<String> userTokens = userTokens(dir);
        Path out = Files.createDirectories(dir.resolve(database));

        Properties location = BenchDatabase.forProcess(database, out);
        Keyset keyset = Keyset.generate();
        long started = System.nanoTime();
        try (Application app = Application.start(config(port, location, idp), keyset, Clock.systemUTC())) {
            new TokenServerHarness(port).connectOverHttp(userTokens.getFirst());
            DataSource dataSource = app.storage().database().dataSource();
            UserDirectory directory = new JdbcUserDirectory(dataSource);
            UserId first = directory
                    .findByIdentity(new ExternalIdentity(TENANT, tenantIssuer, TokenBenchIdp.subject(0)))
                    .orElseThrow(() -> new IllegalStateException("user 0 was not provisioned by its first request"))
                    .id();
            EncryptedTokenStore store = app.storage().tokens();
            if (!(store.find(new GrantKey(TENANT, first, RESOURCE)) instanceof GrantLookup.Found connected)) {
                throw new IllegalStateException("connecting user 0 stored no grant");
            }
            List<UserId> users =
                    seed(store, directory, tenantIssuer, connected.grant().tokens(), first, grants, userTokens.size());
            System.out.printf(
                    "connected user 0 over HTTP and seeded %d more grants in %d s%n",
                    grants - 1, Duration.ofNanos(System.nanoTime() - started).toSeconds());
            TokenBenchIdp.write(
                    out.resolve("users.txt"),
                    String.join("\n", users.stream().map(UserId::value).toList()) + "\n");
            String stats = stats(dataSource, database, out.resolve("h2"));
            TokenBenchIdp.write(out.resolve("db-stats.txt"), stats);
            System.out.print(stats);
        }
        // A benchmark's own throw-away keyset, beside its throw-away database.
        TokenBenchIdp.write(out.resolve("keyset.json"), keyset.toJson());
        StringBuilder text = new StringBuilder();
        location.forEach(
                (key, value) -> text.append(key).append('=').append(value).append('\n'));
        TokenBenchIdp.write(out.resolve("database.properties"), text.toString());
        TokenBenchIdp.write(
                out.resolve("seeded"), "pid=" + ProcessHandle.current().pid() + "\n");
        System.out.println("seeded; holding the database until stopped");
        Thread.currentThread().join();
    }

    private static void serve(Path dir, String database, int port) throws Exception {
        Properties idp = properties(dir.resolve("idp.properties"));
        List<String> userTokens = userTokens(dir);
        String serviceToken = Files.readString(dir.resolve("service-token.txt")).strip();
        Path out = dir.resolve(database);
        List<String> users = Files.readAllLines(out.resolve("users.txt"));
        Keyset keyset = Keyset.fromJson(Files.readString(out.resolve("keyset.json")));
        Application app = Application.start(
                config(port, properties(out.resolve("database.properties")), idp), keyset, Clock.systemUTC());
        Runtime.getRuntime().addShutdownHook(new Thread(app::close));

        TokenServerHarness harness = new TokenServerHarness(port);
        harness.expectToken("Bearer " + userTokens.getFirst(), null);
        int lastWithToken = Math.min(userTokens.size(), users.size()) - 1;
        harness.expectToken("Bearer " + userTokens.get(lastWithToken), null);
        harness.expectToken("Bearer " + serviceToken, users.getLast());
        TokenBenchIdp.write(
                out.resolve("ready"), "pid=" + ProcessHandle.current().pid() + "\nport=" + port + "\n");
        System.out.println("serving " + users.size() + " grants on port " + port);
        Thread.currentThread().join();
    }

    private static Properties properties(Path file) throws IOException {
        Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            properties.load(in);
        }
        return properties;
    }

    private static List<String> userTokens(Path dir) throws IOException {
        return Files.readAllLines(dir.resolve("user-tokens.txt")).stream()
                .filter(line -> !line.isBlank())
                .toList();
    }

    private static LatchkeyConfig config(int port, Properties database, Properties idp) {
        String user = database.getProperty("user");
        String databaseYaml = "{ url: \"" + database.getProperty("url") + "\""
                + (user == null ? "" : ", user: \"" + user + "\"") + " }";
        String yaml =
                """
                server: { host: 127.0.0.1, port: %1$d, publicUrl: "http://127.0.0.1:%1$d" }
                database: %2$s
                keys: { keyset: "file:./unused-keyset.json" }
                development: { allowInsecureHttp: true }
                tenants:
                  bench:
                    issuers: [ { issuer: "%3$s", audiences: [latchkey] } ]
                    identity: { provisioning: jit }
                    services: [ { id: chat-backend, clientId: chat-backend, scopes: [tokens:read] } ]
                    resources:
                      github:
                        url: http://127.0.0.1:1/api
                        authorization:
                          discovery: oidc
                          issuer: "%4$s"
                          clientId: latchkey
                          clientSecret: bench-client-secret
                          scopes: [openid, repo, offline_access]
                """.formatted(port, databaseYaml, idp.getProperty("tenantIssuer"), idp.getProperty("resourceIssuer"));
        return new ConfigLoader(name -> Optional.empty()).loadText(yaml).orElseThrow();
    }

    /** The connect flow of DownstreamTokensApplicationTest: authorize, consent at the IdP, callback. */
    private void connectOverHttp(String bearer) throws IOException, InterruptedException {
        HttpResponse<String> started = send(HttpRequest.newBuilder(uri("/v1/connections/github/authorize"))
                .header("Authorization", "Bearer " + bearer)
                .header("Accept", "application/json")
                .build());
        require(started, 200, "starting the connect flow");
        URI authorize = URI.create(find("authorization_url", started.body()));
        // mock-oauth2-server consents at once and redirects to the callback.
        HttpResponse<String> consent = send(HttpRequest.newBuilder(authorize).build());
        require(consent, 302, "consenting at the authorization server");
        URI location = URI.create(consent.headers().firstValue("Location").orElseThrow());
        HttpResponse<String> callback =
                send(HttpRequest.newBuilder(uri("/v1/connections/callback?" + location.getRawQuery()))
                        .build());
        require(callback, 200, "the connect callback");
    }

    /** Fails unless GET /v1/tokens/github answers 200 with an access token for this caller. */
    private void expectToken(String authorization, @Nullable String actingUser)
            throws IOException, InterruptedException {
        HttpRequest.Builder request =
                HttpRequest.newBuilder(uri("/v1/tokens/github")).header("Authorization", authorization);
        if (actingUser != null) {
            request.header("X-Latchkey-User", actingUser);
        }
        HttpResponse<String> answer = send(request.build());
        require(answer, 200, "GET /v1/tokens/github");
        find("access_token", answer.body());
    }

    private static List<UserId> seed(
            EncryptedTokenStore store,
            UserDirectory directory,
            String tenantIssuer,
            TokenSet template,
            UserId first,
            int grants,
            int userTokens)
            throws Exception {
        List<UserId> users = new ArrayList<>(grants);
        users.add(first);
        for (int i = 1; i < grants; i++) {
            users.add(UserId.of(UUID.randomUUID().toString()));
        }
        int accessLength = template.accessToken().reveal().length();
        int refreshLength = template.refreshTokenIfAny()
                .map(token -> token.reveal().length())
                .orElse(36);
        Instant expiry = Instant.now().plus(Duration.ofDays(1));
        AtomicInteger done = new AtomicInteger();
        int step = Math.max(1, grants / 10);
        // Several writers at once: PostgreSQL then flushes many commits per WAL write.
        try (ExecutorService pool = Executors.newFixedThreadPool(SEEDING_THREADS)) {
            List<Future<?>> writes = new ArrayList<>();
            for (int t = 0; t < SEEDING_THREADS; t++) {
                int offset = t;
                writes.add(pool.submit(() -> {
                    SecureRandom random = new SecureRandom();
                    for (int i = 1 + offset; i < grants; i += SEEDING_THREADS) {
                        UserId user = users.get(i);
                        // Every grant's user exists (a service may act only for users of its tenant);
                        // those with a bearer token are bound to its subject.
                        String subject = i < userTokens ? TokenBenchIdp.subject(i) : "seeded-" + i;
                        directory.provision(
                                new User(TENANT, user, null, false, Set.of()),
                                new ExternalIdentity(TENANT, tenantIssuer, subject));
                        TokenSet tokens = new TokenSet(
                                Secret.of(randomText(random, accessLength)),
                                Secret.of(randomText(random, refreshLength)),
                                template.tokenType(),
                                template.scopes(),
                                expiry.plusSeconds(random.nextInt(3600)));
                        if (!(store.compareAndSet(new GrantKey(TENANT, user, RESOURCE), 0, tokens)
                                instanceof StoreResult.Stored)) {
                            throw new IllegalStateException("seeding a fresh database lost a race");
                        }
                        int count = done.incrementAndGet();
                        if (count % step == 0) {
                            System.out.printf("  seeded %d of %d%n", count, grants - 1);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> write : writes) {
                write.get();
            }
        }
        return List.copyOf(users);
    }

    /** Rows and bytes of token_sets, as the database itself counts them. */
    private static String stats(DataSource dataSource, String database, Path h2Directory) throws SQLException {
        Map<String, Object> stats = new LinkedHashMap<>();
        try (Connection connection = dataSource.getConnection();
                Statement statement = connection.createStatement()) {
            long rows = single(statement, "SELECT count(*) FROM token_sets");
            stats.put("token_sets_rows", rows);
            stats.put(
                    "avg_ciphertext_bytes",
                    single(statement, "SELECT CAST(avg(octet_length(ciphertext)) AS BIGINT) FROM token_sets"));
            if ("postgresql".equals(database)) {
                statement.execute("ANALYZE token_sets");
                long total = single(statement, "SELECT pg_total_relation_size('token_sets')");
                stats.put("pg_total_relation_size_bytes", total);
                stats.put("pg_relation_size_bytes", single(statement, "SELECT pg_relation_size('token_sets')"));
                stats.put("pg_indexes_size_bytes", single(statement, "SELECT pg_indexes_size('token_sets')"));
                stats.put(
                        "pg_toast_bytes",
                        single(
                                statement,
                                "SELECT pg_total_relation_size(reltoastrelid)"
                                        + " FROM pg_class WHERE relname = 'token_sets' AND reltoastrelid <> 0"));
                stats.put("total_bytes_per_row", rows == 0 ? 0 : total / rows);
            } else {
                // H2 counts the pages of the table and its indexes once they are written (hence the
                // checkpoint); the file also holds every other table and free space.
                statement.execute("CHECKPOINT SYNC");
                long used = single(statement, "SELECT DISK_SPACE_USED('token_sets')");
                stats.put("h2_disk_space_used_bytes", used);
                stats.put("total_bytes_per_row", rows == 0 ? 0 : used / rows);
                try (Stream<Path> files = Files.list(h2Directory)) {
                    stats.put(
                            "h2_file_bytes",
                            files.mapToLong(file -> file.toFile().length()).sum());
                } catch (IOException e) {
                    stats.put("h2_file_bytes", "unknown");
                }
            }
        }
        StringBuilder text = new StringBuilder();
        stats.forEach((key, value) -> text.append(key).append('=').append(value).append('\n'));
        return text.toString();
    }

    private static long single(Statement statement, String sql) throws SQLException {
        try (ResultSet result = statement.executeQuery(sql)) {
            return result.next() ? result.getLong(1) : 0;
        }
    }

    private static String randomText(SecureRandom random, int length) {
        char[] text = new char[length];
        for (int i = 0; i < length; i++) {
            text[i] = BASE64URL[random.nextInt(BASE64URL.length)];
        }
        return new String(text);
    }

    private HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    private static void require(HttpResponse<String> response, int status, String step) {
        if (response.statusCode() != status) {
            // The body of an error answer carries no token; a 200 is never printed.
            throw new IllegalStateException(step + " answered " + response.statusCode()
                    + (response.statusCode() == 200 ? "" : ": " + response.body()));
        }
    }

    private static String find(String field, String json) {
        Matcher matcher =
                Pattern.compile(JSON_STRING.pattern().formatted(field)).matcher(json);
        if (!matcher.find()) {
            throw new IllegalStateException("no " + field + " in the answer");
        }
        return matcher.group(1).replace("\\u0026", "&").replace("\\/", "/");
    }
}
