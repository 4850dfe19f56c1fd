package dev.latchkey.keycloak;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A real Keycloak server for one test class: the distribution that Maven unpacked into {@code
 * target/keycloak} started with {@code kc.sh start-dev} on a free loopback port, an in-memory H2
 * database (so every start is clean) and one realm imported from the test resources. The test JVM's
 * own JDK runs it. Its output goes to {@code target/keycloak.log}, kept for failures; {@link
 * #close()} stops the whole process tree, and a shutdown hook does so if the test JVM exits first.
 */
final class KeycloakServer implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofMinutes(3);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
    private static final String ADMIN_USER = "admin";
    private static final String ADMIN_PASSWORD = "admin-it-password";
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final Process process;
    private final Thread shutdownHook;
    private final URI base;
    private final String realm;
    private final Path log;
    private final Duration startTime;

    private KeycloakServer(Process process, Thread shutdownHook, URI base, String realm, Path log, Duration startTime) {
        this.process = process;
        this.shutdownHook = shutdownHook;
        this.base = base;
        this.realm = realm;
        this.log = log;
        this.startTime = startTime;
    }

    /**
     * Starts Keycloak with the realm exported in the class-path resource {@code realmResource}
     * (named {@code <realm>-realm.json}) and waits until that realm's discovery document answers.
     *
     * @throws IllegalStateException with the tail of the log if Keycloak exits or is not ready
     *     within 3 minutes
     */
    static KeycloakServer start(String realm, String realmResource) {
        Path home = Path.of(requiredProperty("keycloak.home"));
        Path log = Path.of(requiredProperty("keycloak.log"));
        if (!Files.isRegularFile(home.resolve("bin/kc.sh"))) {
            throw new IllegalStateException(home + "/bin/kc.sh not found; build with ./mvnw -Pkeycloak, which unpacks"
                    + " org.keycloak:keycloak-quarkus-dist there");
        }
        copyRealm(realmResource, home.resolve("data/import").resolve(realm + "-realm.json"));
        int port = freePort();
        List<String> command = List.of(
                "/bin/sh",
                home.resolve("bin/kc.sh").toString(),
                "start-dev",
                "--http-host=127.0.0.1",
                "--http-port=" + port,
                "--http-management-port=" + freePort(),
                "--db=dev-mem",
                "--import-realm");
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(home.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        Map<String, String> environment = builder.environment();
        // Only this fixture configures Keycloak: no KC_* variable of the developer's shell leaks in.
        environment.keySet().removeIf(name -> name.startsWith("KC_"));
        environment.put("JAVA_HOME", System.getProperty("java.home"));
        environment.remove("JAVA");
        environment.remove("JAVA_OPTS");
        environment.put("JAVA_OPTS_KC_HEAP", "-Xms64m -Xmx512m");
        // JBoss Threads resets thread locals through java.lang internals; JDK 24+ needs it opened.
        environment.put("JAVA_OPTS_APPEND", "--add-opens=java.base/java.lang=ALL-UNNAMED");
        environment.put("KC_BOOTSTRAP_ADMIN_USERNAME", ADMIN_USER);
        environment.put("KC_BOOTSTRAP_ADMIN_PASSWORD", ADMIN_PASSWORD);
        long started = System.nanoTime();
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // Registered before the wait, so that a test JVM that exits early (short of SIGKILL) stops Keycloak.
        Thread shutdownHook = new Thread(() -> stop(process), "keycloak-stop");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        URI base = URI.create("http://127.0.0.1:" + port);
        try {
            awaitReady(process, base.resolve("/realms/" + realm + "/.well-known/openid-configuration"), log);
        } catch (RuntimeException e) {
            removeHook(shutdownHook);
            stop(process);
            throw e;
        }
        return new KeycloakServer(
                process, shutdownHook, base, realm, log, Duration.ofNanos(System.nanoTime() - started));
    }

    /** The realm's token endpoint. */
    URI tokenEndpoint() {
        return base.resolve("/realms/" + realm + "/protocol/openid-connect/token");
    }

    /** How long Keycloak took from launch until its realm answered. */
    Duration startTime() {
        return startTime;
    }

    /** Where Keycloak's output goes. */
    Path log() {
        return log;
    }

    /**
     * The refresh events Keycloak recorded for one user session ({@code REFRESH_TOKEN} and {@code
     * REFRESH_TOKEN_ERROR}, from the admin events API), oldest first. Keycloak stores each event
     * while it handles the request the event describes (in that request's transaction, an error in
     * one of its own), so a refresh that has been answered is already counted.
     */
    List<RefreshEvent> refreshEvents(String sessionId) {
        URI query = base.resolve(
                "/admin/realms/" + realm + "/events?type=REFRESH_TOKEN&type=REFRESH_TOKEN_ERROR&first=0&max=100000");
        JsonNode events = JSON.readTree(send(HttpRequest.newBuilder(query)
                .header("Authorization", "Bearer " + adminToken())
                .GET()
                .build()));
        List<RefreshEvent> found = new ArrayList<>();
        for (JsonNode event : events) {
            if (sessionId.equals(event.path("sessionId").asString(""))) {
                found.add(RefreshEvent.of(event));
            }
        }
        // The API answers newest first.
        return found.reversed();
    }

    /** Sends SIGTERM to Keycloak and its launcher script, then waits; kills what is left. */
    @Override
    public void close() {
        removeHook(shutdownHook);
        stop(process);
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // The hook is already running and stops the process itself.
        }
    }

    private static void stop(Process process) {
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        tree.add(process.toHandle());
        tree.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + STOP_TIMEOUT.toNanos();
        for (ProcessHandle handle : tree) {
            try {
                handle.onExit().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (ExecutionException | TimeoutException notYet) {
                handle.destroyForcibly();
            } catch (InterruptedException e) {
                handle.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void awaitReady(Process process, URI discovery, Path log) {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(
                        "Keycloak exited with " + process.exitValue() + "; log " + log + ":\n" + logTail(log));
            }
            try {
                HttpResponse<Void> response = HTTP.send(
                        HttpRequest.newBuilder(discovery)
                                .timeout(Duration.ofSeconds(5))
                                .build(),
                        HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (IOException notListeningYet) {
                // Keycloak is still starting.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for Keycloak", e);
            }
            pause(Duration.ofMillis(500));
        }
        throw new IllegalStateException("Keycloak did not serve " + discovery + " within " + START_TIMEOUT + "; log "
                + log + ":\n" + logTail(log));
    }

    /** A token of the bootstrap administrator (master realm, {@code admin-cli}); it lives a minute. */
    private String adminToken() {
        String form = "grant_type=password&client_id=admin-cli&username=" + encode(ADMIN_USER) + "&password="
                + encode(ADMIN_PASSWORD);
        JsonNode token =
                JSON.readTree(send(HttpRequest.newBuilder(base.resolve("/realms/master/protocol/openid-connect/token"))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(form))
                        .build()));
        return token.path("access_token").asString();
    }

    private String send(HttpRequest request) {
        try {
            HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                // The body is Keycloak's error object; admin answers hold no tokens.
                throw new IllegalStateException(
                        request.uri().getPath() + " answered " + response.statusCode() + ": " + response.body());
            }
            return response.body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static String logTail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }

    private static void copyRealm(String resource, Path target) {
        try (InputStream realm = KeycloakServer.class.getResourceAsStream(resource)) {
            if (realm == null) {
                throw new IllegalStateException("realm resource " + resource + " not on the class path");
            }
            Files.createDirectories(target.getParent());
            Files.copy(realm, target, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String requiredProperty(String name) {
        @Nullable String value = System.getProperty(name);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException(
                    "system property " + name + " is not set; run through Maven with -Pkeycloak");
        }
        return value;
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static void pause(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for Keycloak", e);
        }
    }

    /**
     * One refresh Keycloak answered for a session.
     *
     * @param succeeded {@code REFRESH_TOKEN} rather than {@code REFRESH_TOKEN_ERROR}
     * @param refreshTokenId the {@code jti} of the refresh token that was presented
     * @param issuedRefreshTokenId the {@code jti} of the rotated refresh token issued, if any
     * @param error Keycloak's reason for a refusal, empty on success
     */
    record RefreshEvent(boolean succeeded, String refreshTokenId, String issuedRefreshTokenId, String error) {
        static RefreshEvent of(JsonNode event) {
            JsonNode details = event.path("details");
            return new RefreshEvent(
                    "REFRESH_TOKEN".equals(event.path("type").asString("")),
                    details.path("refresh_token_id").asString(""),
                    details.path("updated_refresh_token_id").asString(""),
                    details.path("reason").asString(event.path("error").asString("")));
        }
    }
}
