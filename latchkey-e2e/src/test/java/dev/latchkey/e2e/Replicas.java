package dev.latchkey.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.latchkey.core.secret.Secret;
import dev.latchkey.testkit.LatchkeyProcess;
import dev.latchkey.testkit.PostgresDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Several {@code latchkey serve} processes (the built jar) sharing one PostgreSQL database and one
 * keyset: replicas, each in a directory of its own (so each keeps its own output) and on a port of
 * its own (replica 0's is the public URL). Helpers speak to them over real HTTP.
 */
final class Replicas implements AutoCloseable {
    static final Pattern ACCESS_TOKEN = Pattern.compile("\"access_token\":\"([^\"]+)\"");
    private static final Pattern AUTHORIZATION_URL = Pattern.compile("\"authorization_url\":\"([^\"]+)\"");
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final List<Integer> ports;
    private final List<LatchkeyProcess> processes = new ArrayList<>();

    private Replicas(List<Integer> ports) {
        this.ports = ports;
    }

    /**
     * Generates a keyset in {@code dir}, writes a configuration of the shared settings followed by
     * {@code rest} (YAML from {@code tenants:} or another top-level key on), and starts {@code
     * count} replicas; returns once every one is ready.
     */
    static Replicas start(Path dir, int count, PostgresDatabase database, String rest) throws Exception {
        LatchkeyProcess.Result keys = LatchkeyProcess.run(dir, Map.of(), "keys", "generate", "--keyset", "keyset.json");
        assertThat(keys.exitCode()).as(keys.output()).isZero();
        List<Integer> ports = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ports.add(LatchkeyProcess.freePort());
        }
        Path config = dir.resolve("latchkey.yaml").toAbsolutePath();
        Files.writeString(
                config,
                """
                server: { host: 127.0.0.1, port: %d, publicUrl: "http://127.0.0.1:%d" }
                database: { url: "%s", user: %s }
                keys: { keyset: "file:%s" }
                development: { allowInsecureHttp: true }
                """.formatted(
                                        ports.get(0),
                                        ports.get(0),
                                        database.jdbcUrl(),
                                        database.user(),
                                        dir.resolve("keyset.json")
                                                .toAbsolutePath()
                                                .toString()
                                                .replace('\\', '/'))
                        + rest);
        Replicas replicas = new Replicas(ports);
        try {
            for (int i = 0; i < count; i++) {
                replicas.processes.add(LatchkeyProcess.start(
                        Files.createDirectories(dir.resolve("replica-" + i)),
                        Map.of("LATCHKEY_SERVER_PORT", Integer.toString(ports.get(i))),
                        "serve",
                        "--config",
                        config.toString()));
            }
            for (int i = 0; i < count; i++) {
                replicas.processes.get(i).awaitStatus(replicas.uri(i, "/health/ready"), 200);
            }
            return replicas;
        } catch (RuntimeException | Error e) {
            replicas.close();
            throw e;
        }
    }

    LatchkeyProcess process(int replica) {
        return processes.get(replica);
    }

    List<LatchkeyProcess> processes() {
        return List.copyOf(processes);
    }

    URI uri(int replica, String path) {
        return URI.create("http://127.0.0.1:" + ports.get(replica) + path);
    }

    /**
     * Connects {@code resource} for the bearer's user: the flow starts at replica {@code startAt},
     * the IdP logs in at once, and the callback lands on replica {@code finishAt}.
     */
    void connect(String bearer, String resource, int startAt, int finishAt) throws Exception {
        HttpResponse<String> started =
                send(HttpRequest.newBuilder(uri(startAt, "/v1/connections/" + resource + "/authorize"))
                        .header("Authorization", bearer)
                        .header("Accept", "application/json")
                        .build());
        assertThat(started.statusCode()).as(started.body()).isEqualTo(200);
        HttpResponse<String> login = send(HttpRequest.newBuilder(URI.create(find(AUTHORIZATION_URL, started.body())))
                .build());
        URI callback = URI.create(login.headers().firstValue("Location").orElseThrow());
        HttpResponse<String> finished =
                send(HttpRequest.newBuilder(uri(finishAt, callback.getPath() + "?" + callback.getRawQuery()))
                        .build());
        assertThat(finished.statusCode()).as(finished.body()).isEqualTo(200);
    }

    HttpRequest token(int replica, String resource, String bearer) {
        return HttpRequest.newBuilder(uri(replica, "/v1/tokens/" + resource))
                .header("Authorization", bearer)
                .build();
    }

    /** "The downstream said 401" for {@code token}, to {@code replica}. */
    HttpRequest report(int replica, String resource, String bearer, String token) {
        return HttpRequest.newBuilder(uri(replica, "/v1/tokens/" + resource + "/refresh"))
                .header("Authorization", bearer)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"rejected_token_sha256\":\"" + Secret.sha256Hex(token) + "\"}"))
                .build();
    }

    static HttpResponse<String> send(HttpRequest request) throws Exception {
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }

    static HttpClient client() {
        return HTTP;
    }

    static String find(Pattern pattern, String body) {
        Matcher matcher = pattern.matcher(body);
        assertThat(matcher.find()).as(body).isTrue();
        return matcher.group(1).replace("\\u0026", "&").replace("\\/", "/");
    }

    @Override
    public void close() {
        processes.forEach(LatchkeyProcess::close);
    }
}
