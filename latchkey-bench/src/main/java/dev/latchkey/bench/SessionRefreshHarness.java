package dev.latchkey.bench;

import dev.latchkey.app.Application;
import dev.latchkey.app.config.ConfigLoader;
import dev.latchkey.app.config.LatchkeyConfig;
import dev.latchkey.core.crypto.Keyset;
import dev.latchkey.core.identity.ExternalIdentity;
import dev.latchkey.core.identity.User;
import dev.latchkey.core.identity.UserId;
import dev.latchkey.core.secret.Secret;
import dev.latchkey.core.session.FamilyId;
import dev.latchkey.core.session.RefreshFamily;
import dev.latchkey.core.tenant.TenantId;
import dev.latchkey.store.JdbcRefreshTokenStore;
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
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
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
import javax.sql.DataSource;

/**
 * The Latchkey of {@code scripts/bench-sessions.sh}: {@link Application#start} on embedded H2 or a
 * fresh PostgreSQL database, with one tenant ({@code bench}) whose cross-origin panel at {@link
 * #PANEL} may call the session endpoints, and refresh-token families seeded through the
 * application's own stores, so that every measured {@code POST /v1/sessions/refresh} presents a
 * live token that was never used. Two processes, so the serving one holds nothing from seeding:
 *
 * <ul>
 *   <li>{@code SessionRefreshHarness seed DIR h2|postgresql FAMILIES WARMUP_FAMILIES USERS}: creates
 *       the database and starts the application on it once (migrations, the deployment's signing
 *       key), then provisions USERS users ({@link JdbcUserDirectory#provision}) and creates
 *       FAMILIES + WARMUP_FAMILIES + 1 families ({@link JdbcRefreshTokenStore#create}), family
 *       {@code i} belonging to user {@code i mod USERS}, each with a first token of the form
 *       Latchkey issues ({@code lkrt_} and 43 base64url characters of 32 random bytes), and
 *       analyses the tables, as autovacuum would after such a load. The plaintext tokens go to
 *       {@code DIR/<database>/tokens.txt} (FAMILIES lines), {@code warmup-tokens.txt} and {@code
 *       check-token.txt} (the serving process's self-check). Then it writes the keyset, the
 *       database's address and {@code seeded}, and holds the database until it is stopped: it drops
 *       it (PostgreSQL) or deletes its files (H2) on exit.
 *   <li>{@code SessionRefreshHarness serve DIR h2|postgresql PORT POOL_SIZE}: starts the application
 *       on the seeded database with the same keyset and a pool of POOL_SIZE connections, checks
 *       that the check token rotates twice and that a spent token presented by another client is
 *       refused and revokes its family, writes {@code ready} and serves until stopped. While it
 *       serves, a file {@code DIR/<database>/command} holding {@code stats} is answered with {@code
 *       DIR/<database>/stats.txt}: rows of the session tables (spent tokens, revoked families and
 *       why), and on PostgreSQL the database's transaction and tuple counters; {@code
 *       query-statistics-on} turns on H2's per-statement counters, which {@code stats} then lists.
 * </ul>
 *
 * <p>The tokens written to those files are throw-away credentials of a throw-away database; none is
 * ever printed.
 */
public final class SessionRefreshHarness {
    private static final TenantId TENANT = TenantId.of("bench");
    private static final String PANEL = "https://panel.bench.example";
    private static final String OTHER_PANEL = "https://other-panel.bench.example";
    private static final String ISSUER = "http://127.0.0.1:1/bench-issuer";
    private static final Pattern REFRESH_TOKEN = Pattern.compile("\"refreshToken\":\"(lkrt_[A-Za-z0-9_-]{43})\"");
    private static final int SEEDING_THREADS = 16;
    private static final int FIRST_PHASE = 2000;
    private static final ThreadLocal<SecureRandom> RANDOM = ThreadLocal.withInitial(SecureRandom::new);
    private static final String USAGE =
            "usage: SessionRefreshHarness seed DIR h2|postgresql FAMILIES WARMUP_FAMILIES USERS\n"
                    + "       SessionRefreshHarness serve DIR h2|postgresql PORT POOL_SIZE";

    private SessionRefreshHarness() {}

    public static void main(String[] args) {
        try {
            if (args.length == 6
                    && "seed".equals(args[0])
                    && Set.of("h2", "postgresql").contains(args[2])) {
                seed(
                        Path.of(args[1]),
                        args[2],
                        Integer.parseInt(args[3]),
                        Integer.parseInt(args[4]),
                        Integer.parseInt(args[5]));
            } else if (args.length == 5
                    && "serve".equals(args[0])
                    && Set.of("h2", "postgresql").contains(args[2])) {
                serve(Path.of(args[1]), args[2], Integer.parseInt(args[3]), Integer.parseInt(args[4]));
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

    private static void seed(Path dir, String database, int families, int warmupFamilies, int users) throws Exception {
        if (families < 2 || warmupFamilies < 0 || users < 1) {
            throw new IllegalArgumentException("FAMILIES must be at least 2, USERS at least 1");
        }
        Path out = Files.createDirectories(dir.resolve(database));
        Properties location = BenchDatabase.forProcess(database, out);
        Keyset keyset = Keyset.generate();
        long started = System.nanoTime();
        int total = families + warmupFamilies + 1;
        List<String> tokens;
        // Port 0: seeding serves nothing; starting the application migrates the schema and stores
        // the deployment's signing key, which the serving process then loads with the same keyset.
        try (Application app = Application.start(config(0, location, SEEDING_THREADS), keyset, Clock.systemUTC())) {
            DataSource dataSource = app.storage().database().dataSource();
            List<UserId> ids = provision(new JdbcUserDirectory(dataSource), users, dataSource);
            System.out.printf(
                    "provisioned %d users in %d s%n",
                    users, Duration.ofNanos(System.nanoTime() - started).toSeconds());
            tokens = createFamilies(new JdbcRefreshTokenStore(dataSource), ids, total, dataSource);
            System.out.printf(
                    "created %d refresh-token families in %d s in all%n",
                    total, Duration.ofNanos(System.nanoTime() - started).toSeconds());
            System.out.print(stats(dataSource, database, false));
        }
        TokenBenchIdp.write(out.resolve("check-token.txt"), tokens.getFirst() + "\n");
        TokenBenchIdp.write(out.resolve("warmup-tokens.txt"), lines(tokens.subList(1, 1 + warmupFamilies)));
        TokenBenchIdp.write(out.resolve("tokens.txt"), lines(tokens.subList(1 + warmupFamilies, total)));
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

    private static List<UserId> provision(JdbcUserDirectory directory, int users, DataSource dataSource)
            throws Exception {
        List<UserId> ids = new ArrayList<>(users);
        for (int i = 0; i < users; i++) {
            ids.add(UserId.of(UUID.randomUUID().toString()));
        }
        inPhases(
                users,
                "provisioned users",
                dataSource,
                i -> directory.provision(
                        new User(TENANT, ids.get(i), null, false, Set.of()),
                        new ExternalIdentity(TENANT, ISSUER, "panel-user-" + i)));
        return List.copyOf(ids);
    }

    private static List<String> createFamilies(
            JdbcRefreshTokenStore store, List<UserId> users, int total, DataSource dataSource) throws Exception {
        String[] tokens = new String[total];
        Instant now = Instant.now();
        inPhases(total, "created families", dataSource, i -> {
            String token = newRefreshToken();
            store.create(
                    RefreshFamily.create(TENANT, FamilyId.random(), users.get(i % users.size()), null, now),
                    Secret.of(token).sha256());
            tokens[i] = token;
        });
        return List.of(tokens);
    }

    private interface Step {
        void run(int i) throws Exception;
    }

    /**
     * Runs {@code step} for 0..count-1, analysing the tables after the first {@link #FIRST_PHASE}
     * and at the end, as autovacuum would (the PostgreSQL of CI runs without it). Without
     * statistics PostgreSQL plans a lookup by primary key on another index that starts with the
     * tenant, and so reads every row of the tenant: the foreign-key checks of seeding and {@code
     * users} lookups by id then grow with the table.
     */
    private static void inPhases(int count, String what, DataSource dataSource, Step step) throws Exception {
        int first = Math.min(count, FIRST_PHASE);
        parallel(0, first, count, what, step);
        execute(dataSource, "ANALYZE");
        parallel(first, count, count, what, step);
        execute(dataSource, "ANALYZE");
    }

    /** Runs {@code step} for from..to-1 on several threads: PostgreSQL then flushes many commits per WAL write. */
    private static void parallel(int from, int to, int total, String what, Step step) throws Exception {
        AtomicInteger done = new AtomicInteger(from);
        int report = Math.max(1, total / 5);
        try (ExecutorService pool = Executors.newFixedThreadPool(SEEDING_THREADS)) {
            List<Future<?>> work = new ArrayList<>();
            for (int t = 0; t < SEEDING_THREADS; t++) {
                int offset = from + t;
                work.add(pool.submit(() -> {
                    for (int i = offset; i < to; i += SEEDING_THREADS) {
                        step.run(i);
                        int finished = done.incrementAndGet();
                        if (finished % report == 0) {
                            System.out.printf("  %s: %d of %d%n", what, finished, total);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> each : work) {
                each.get();
            }
        }
    }

    /** The form Latchkey issues: {@code lkrt_} and 32 random bytes in unpadded base64url (43 characters). */
    private static String newRefreshToken() {
        byte[] bytes = new byte[32];
        RANDOM.get().nextBytes(bytes);
        return "lkrt_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static void serve(Path dir, String database, int port, int poolSize) throws Exception {
        Path out = dir.resolve(database);
        Keyset keyset = Keyset.fromJson(Files.readString(out.resolve("keyset.json")));
        Application app = Application.start(
                config(port, properties(out.resolve("database.properties")), poolSize), keyset, Clock.systemUTC());
        Runtime.getRuntime().addShutdownHook(new Thread(app::close));
        selfCheck(port, Files.readString(out.resolve("check-token.txt")).strip());
        DataSource dataSource = app.storage().database().dataSource();
        Thread.ofPlatform().daemon().name("bench-commands").start(() -> answerCommands(out, dataSource, database));
        TokenBenchIdp.write(
                out.resolve("ready"), "pid=" + ProcessHandle.current().pid() + "\nport=" + port + "\n");
        System.out.println("serving on port " + port + " with a pool of " + poolSize + " connections");
        Thread.currentThread().join();
    }

    /**
     * The check family's token rotates, its successor rotates, the spent successor presented again
     * by another client (the tenant's other panel) is refused and revokes the family, so the newest
     * token is refused too: the route, the stores and reuse detection work as wired.
     */
    private static void selfCheck(int port, String token) throws IOException, InterruptedException {
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> first = refresh(http, port, token, PANEL);
            require(first, 200, "refreshing the check token");
            String second = successor(first.body());
            HttpResponse<String> rotated = refresh(http, port, second, PANEL);
            require(rotated, 200, "refreshing its successor");
            String third = successor(rotated.body());
            require(refresh(http, port, second, OTHER_PANEL), 400, "a spent token presented by another client");
            require(refresh(http, port, third, PANEL), 400, "the newest token of the revoked family");
        }
        System.out.println("self-check passed: two rotations, then reuse by another client revoked the family");
    }

    private static HttpResponse<String> refresh(HttpClient http, int port, String token, String origin)
            throws IOException, InterruptedException {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/sessions/refresh"))
                        .header("Content-Type", "application/json")
                        .header("X-Tenant-Id", TENANT.value())
                        .header("Origin", origin)
                        .POST(HttpRequest.BodyPublishers.ofString("{\"refreshToken\":\"" + token + "\"}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String successor(String body) {
        Matcher matcher = REFRESH_TOKEN.matcher(body);
        if (!matcher.find()) {
            throw new IllegalStateException("no refreshToken in the answer");
        }
        return matcher.group(1);
    }

    private static void require(HttpResponse<String> response, int status, String step) {
        if (response.statusCode() != status) {
            // The body of an error answer carries no token; a 200 is never printed.
            throw new IllegalStateException(step + " answered " + response.statusCode()
                    + (response.statusCode() == 200 ? "" : ": " + response.body()));
        }
    }

    /** Polls for {@code command} and answers it in {@code stats.txt} (see the class comment). */
    private static void answerCommands(Path out, DataSource dataSource, String database) {
        Path command = out.resolve("command");
        boolean queryStatistics = false;
        while (true) {
            try {
                Thread.sleep(100);
                if (!Files.exists(command)) {
                    continue;
                }
                String word = Files.readString(command).strip();
                Files.delete(command);
                String answer;
                if ("query-statistics-on".equals(word) && "h2".equals(database)) {
                    // Sized for every statement of the process, so none is evicted from the list.
                    execute(dataSource, "SET QUERY_STATISTICS_MAX_ENTRIES 1000");
                    execute(dataSource, "SET QUERY_STATISTICS TRUE");
                    queryStatistics = true;
                    answer = "query statistics on\n";
                } else if ("stats".equals(word)) {
                    answer = stats(dataSource, database, queryStatistics);
                } else {
                    answer = "unknown command: " + word + "\n";
                }
                TokenBenchIdp.write(out.resolve("stats.txt"), answer);
            } catch (InterruptedException e) {
                return;
            } catch (IOException | SQLException | RuntimeException e) {
                System.err.println("command failed: " + e);
            }
        }
    }

    /**
     * Counts of the session tables and, on PostgreSQL, the database's own counters; on H2 with
     * {@code queryStatistics}, the statements run since they were turned on, most frequent first.
     */
    private static String stats(DataSource dataSource, String database, boolean queryStatistics) throws SQLException {
        StringBuilder text = new StringBuilder();
        try (Connection connection = dataSource.getConnection();
                Statement statement = connection.createStatement()) {
            table(
                    statement,
                    text,
                    "SELECT count(*) AS families," + " count(revoked_at) AS revoked_families FROM refresh_families");
            table(
                    statement,
                    text,
                    "SELECT count(*) AS tokens, count(spent_at) AS spent_tokens,"
                            + " max(generation) AS max_generation FROM refresh_tokens");
            table(
                    statement,
                    text,
                    "SELECT revoked_reason, count(*) AS families FROM refresh_families"
                            + " WHERE revoked_at IS NOT NULL GROUP BY revoked_reason ORDER BY revoked_reason");
            if ("postgresql".equals(database)) {
                table(
                        statement,
                        text,
                        "SELECT xact_commit, xact_rollback, tup_returned, tup_fetched,"
                                + " tup_inserted, tup_updated, blks_read, blks_hit"
                                + " FROM pg_stat_database WHERE datname = current_database()");
                tableByName(
                        statement,
                        text,
                        "SELECT relname, seq_scan, idx_scan, idx_tup_fetch, n_tup_ins, n_tup_upd, n_tup_hot_upd"
                                + " FROM pg_stat_user_tables WHERE relname IN ('refresh_tokens', 'refresh_families', 'users')"
                                + " ORDER BY relname");
            } else if (queryStatistics) {
                table(
                        statement,
                        text,
                        "SELECT execution_count, CAST(cumulative_execution_time AS BIGINT)"
                                + " AS cumulative_ms, sql_statement FROM information_schema.query_statistics"
                                + " ORDER BY execution_count DESC LIMIT 20");
            }
        }
        return text.toString();
    }

    /** Appends the rows of {@code sql} as {@code column=value} pairs, one row a line. */
    private static void table(Statement statement, StringBuilder text, String sql) throws SQLException {
        try (ResultSet rows = statement.executeQuery(sql)) {
            ResultSetMetaData meta = rows.getMetaData();
            while (rows.next()) {
                List<String> fields = new ArrayList<>();
                for (int c = 1; c <= meta.getColumnCount(); c++) {
                    fields.add(meta.getColumnLabel(c).toLowerCase(Locale.ROOT) + "=" + rows.getString(c));
                }
                text.append(String.join(" ", fields)).append('\n');
            }
        }
    }

    /** As {@link #table}, each column named after the row's first column: {@code name.column=value}. */
    private static void tableByName(Statement statement, StringBuilder text, String sql) throws SQLException {
        try (ResultSet rows = statement.executeQuery(sql)) {
            ResultSetMetaData meta = rows.getMetaData();
            while (rows.next()) {
                List<String> fields = new ArrayList<>();
                for (int c = 2; c <= meta.getColumnCount(); c++) {
                    fields.add(rows.getString(1) + "." + meta.getColumnLabel(c).toLowerCase(Locale.ROOT) + "="
                            + rows.getString(c));
                }
                text.append(String.join(" ", fields)).append('\n');
            }
        }
    }

    private static void execute(DataSource dataSource, String sql) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    private static LatchkeyConfig config(int port, Properties database, int poolSize) {
        String user = database.getProperty("user");
        String databaseYaml = "{ url: \"" + database.getProperty("url") + "\""
                + (user == null ? "" : ", user: \"" + user + "\"") + ", poolSize: " + poolSize + " }";
        // The issuer is never contacted: refresh needs no bearer token, only the tenant to exist.
        String yaml = """
                server: { host: 127.0.0.1, port: %1$d, publicUrl: "http://127.0.0.1:%1$d" }
                database: %2$s
                keys: { keyset: "file:./unused-keyset.json" }
                development: { allowInsecureHttp: true }
                tenants:
                  bench:
                    issuers: [ { issuer: "%3$s", audiences: [latchkey] } ]
                    identity: { provisioning: jit }
                    cors: { allowedOrigins: ["%4$s", "%5$s"] }
                """.formatted(port, databaseYaml, ISSUER, PANEL, OTHER_PANEL);
        return new ConfigLoader(name -> Optional.empty()).loadText(yaml).orElseThrow();
    }

    private static Properties properties(Path file) throws IOException {
        Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            properties.load(in);
        }
        return properties;
    }

    private static String lines(List<String> values) {
        StringBuilder text = new StringBuilder(values.size() * 50);
        for (String value : values) {
            text.append(value).append('\n');
        }
        return text.toString();
    }
}
