package dev.latchkey.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.latchkey.testkit.Chromium;
import dev.latchkey.testkit.LatchkeyProcess;
import dev.latchkey.testkit.MockIdp;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.NoSuchElementException;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.WebDriverWait;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The example panel of docs/examples/panel, served from a second loopback origin, in a headless
 * Chromium against the built Latchkey and a mock-oauth2-server with its login form (C3, C4): the
 * user signs in once at the provider, the panel trades the one-time code for its own session,
 * keeps working past the access token's expiry by refreshing on its own, and logs out, after
 * which the refresh token it held is refused. Access tokens live 10 s here, Latchkey's minimum.
 */
class BrowserLoginPanelTest {
    private static final Duration WAIT = Duration.ofSeconds(40);
    private static final String TENANT = "acme";
    private static final String SESSION_COOKIE = "latchkey-session";
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path dir;

    private MockIdp idp;
    private HttpServer panel;
    private LatchkeyProcess latchkey;
    private Chromium chromium;
    private URI latchkeyBase;
    /** What the panel's own API saw: every bearer token the page used, and Latchkey's verdict. */
    private final List<ApiCall> apiCalls = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws IOException {
        idp = MockIdp.start(true);
        panel = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        Path files = panelFiles();
        panel.createContext("/index.html", exchange -> serve(exchange, files.resolve("index.html"), "text/html"));
        panel.createContext("/panel.js", exchange -> serve(exchange, files.resolve("panel.js"), "text/javascript"));
        panel.createContext("/api/me", this::panelApi);
        panel.start();

        int port = LatchkeyProcess.freePort();
        latchkeyBase = URI.create("http://127.0.0.1:" + port);
        Files.writeString(dir.resolve("latchkey.yaml"), """
                server: { host: 127.0.0.1, port: %1$d, publicUrl: "http://127.0.0.1:%1$d" }
                database: { url: "jdbc:h2:file:./data/latchkey" }
                keys: { keyset: "file:./keyset.json" }
                development: { allowInsecureHttp: true, generateKeyset: true }
                sessions: { accessTokenLifetime: 10s }
                tenants:
                  acme:
                    issuers: [ { issuer: %2$s, audiences: [latchkey] } ]
                    identity: { provisioning: jit }
                    login: { issuer: %2$s, clientId: latchkey, clientSecret: s3cret }
                    cors: { allowedOrigins: ["%3$s"] }
                """.formatted(port, idp.issuer(TENANT), panelOrigin()));
        latchkey = LatchkeyProcess.start(dir, Map.of(), "serve", "--config", "latchkey.yaml");
        // The browser starts while Latchkey does.
        chromium = Chromium.start(dir);
        latchkey.awaitStatus(latchkeyBase.resolve("/health/ready"), 200);
    }

    @AfterEach
    void stop() {
        if (chromium != null) {
            chromium.close();
        }
        if (latchkey != null) {
            latchkey.close();
        }
        if (panel != null) {
            panel.stop(0);
        }
        if (idp != null) {
            idp.close();
        }
    }

    @Test
    void panelLogsInThroughTheProvider_outlivesItsAccessToken_andLogsOut() throws Exception {
        URI panelPage = URI.create(panelOrigin() + "/index.html?latchkey=" + enc(latchkeyBase.toString()) + "&tenant="
                + TENANT + "&api=" + enc("/api/me"));

        // Log in at the provider's form, once.
        chromium.open(URI.create(latchkeyBase + "/auth/" + TENANT + "/login?return_to=" + enc(panelPage.toString())));
        chromium.waitForUrl(uri -> uri.getPort() == idp.baseUri().getPort(), WAIT);
        chromium.driver().findElement(By.name("username")).sendKeys("alice");
        chromium.driver().findElement(By.cssSelector("input[type=submit]")).click();
        chromium.waitForUrl(uri -> uri.getPort() == panel.getAddress().getPort(), WAIT);

        String userId = waitForElement("user-id", text -> !text.isBlank(), "a user id");
        waitForElement("api-result", text -> text.startsWith("200"), "an API call that Latchkey accepted");
        // The code left the address bar (and history) at once; the page's own settings stayed.
        assertThat(chromium.currentUri().getRawQuery())
                .doesNotContain("latchkey_code")
                .contains("tenant=" + TENANT, "api=");
        // Latchkey's browser session is an HttpOnly cookie: the browser holds it, scripts never see it.
        Object scriptCookies = ((JavascriptExecutor) chromium.driver()).executeScript("return document.cookie");
        assertThat(String.valueOf(scriptCookies)).doesNotContain(SESSION_COOKIE);
        assertThat(chromium.cookies())
                .filteredOn(cookie -> cookie.getName().equals(SESSION_COOKIE))
                .singleElement()
                .satisfies(cookie -> {
                    assertThat(cookie.isHttpOnly()).isTrue();
                    assertThat(cookie.getSameSite()).isEqualTo("Lax");
                });
        ApiCall first = apiCalls.getFirst();
        assertThat(first.status()).isEqualTo(200);
        assertThat(first.user()).isEqualTo(userId);

        // The first access token expires; the panel goes on with refreshed ones, without a new login.
        Instant firstExpiry = expiry(first.token());
        await(
                () -> apiCalls.stream().anyMatch(call -> call.at().isAfter(firstExpiry)),
                "an API call after " + firstExpiry);
        waitForElement("refresh-count", text -> Integer.parseInt(text) >= 2, "at least two refreshes");
        ApiCall later = apiCalls.stream()
                .filter(call -> call.at().isAfter(firstExpiry))
                .findFirst()
                .orElseThrow();
        assertThat(later.token().equals(first.token()))
                .as("the call after the first token's expiry carried a refreshed token")
                .isFalse();
        assertThat(expiry(later.token())).isAfter(firstExpiry);
        assertThat(later.status()).isEqualTo(200);
        assertThat(later.user()).isEqualTo(userId);
        assertThat(apiCalls).allSatisfy(call -> assertThat(call.status()).isEqualTo(200));
        assertThat(chromium.currentUri().getPort()).isEqualTo(panel.getAddress().getPort());
        assertThat(idp.tokenCalls(TENANT, request -> "authorization_code".equals(request.grantType())))
                .as("logins at the provider")
                .isEqualTo(1);

        // Log out: Latchkey ends the browser session and the panel's refresh family with it.
        String lastToken = apiCalls.getLast().token();
        chromium.driver().findElement(By.id("logout")).click();
        String refused = waitForElement(
                "old-refresh", text -> !text.isEmpty() && !text.equals("checking"), "the refresh check's result");
        assertThat(refused).isEqualTo("refused (invalid_grant)");
        assertThat(chromium.driver().findElement(By.id("logout-result")).getText())
                .isEqualTo("Latchkey ended the session.");
        assertThat(chromium.driver().findElement(By.id("status")).getText()).isEqualTo("logged out");
        assertThat(chromium.cookies()).noneMatch(cookie -> cookie.getName().equals(SESSION_COOKIE));
        // Access tokens of the revoked family stop working too, once each replica re-checks it.
        await(() -> meStatus(lastToken) == 401, "the last access token to be refused");
    }

    /** The panel's own API: accepts the page's bearer token only if Latchkey does. */
    private void panelApi(HttpExchange exchange) throws IOException {
        String authorization = String.valueOf(exchange.getRequestHeaders().getFirst("Authorization"));
        String token = authorization.startsWith("Bearer ") ? authorization.substring("Bearer ".length()) : "";
        try {
            HttpResponse<String> answer = me(token);
            @Nullable
            String user = answer.statusCode() == 200
                    ? JSON.readTree(answer.body()).path("user").asString()
                    : null;
            apiCalls.add(new ApiCall(token, answer.statusCode(), user, Instant.now()));
            respond(exchange, answer.statusCode(), "application/json", answer.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            respond(exchange, 503, "application/json", "{}");
        }
    }

    private HttpResponse<String> me(String token) throws IOException, InterruptedException {
        return HTTP.send(
                HttpRequest.newBuilder(latchkeyBase.resolve("/v1/me"))
                        .header("Authorization", "Bearer " + token)
                        .header("X-Tenant-Id", TENANT)
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Latchkey's status for {@code GET /v1/me} with {@code token}, or -1 if it did not answer. */
    private int meStatus(String token) {
        try {
            return me(token).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** Polls the page until element {@code id} shows text that satisfies {@code condition}. */
    private String waitForElement(String id, Predicate<String> condition, String what) {
        Function<WebDriver, @Nullable String> shown = driver -> {
            String text = driver.findElement(By.id(id)).getText();
            return condition.test(text) ? text : null;
        };
        try {
            return Objects.requireNonNull(new WebDriverWait(chromium.driver(), WAIT, Duration.ofMillis(100))
                    .ignoring(NoSuchElementException.class)
                    .ignoring(StaleElementReferenceException.class)
                    .ignoring(NumberFormatException.class)
                    .until(shown));
        } catch (TimeoutException e) {
            throw new AssertionError(
                    "#" + id + " did not show " + what + " within " + WAIT + "; the page shows:\n"
                            + chromium.pageText(),
                    e);
        }
    }

    private void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(
                        "waited " + WAIT + " for " + what + "; the page shows:\n" + chromium.pageText());
            }
            Thread.sleep(100);
        }
    }

    /** The {@code exp} claim of a Latchkey session token (RFC 7519 §4.1.4), read without verifying. */
    private static Instant expiry(String jwt) {
        String[] parts = jwt.split("\\.", -1);
        assertThat(parts).hasSize(3);
        JsonNode claims = JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
        return Instant.ofEpochSecond(claims.path("exp").asLong());
    }

    private String panelOrigin() {
        return "http://127.0.0.1:" + panel.getAddress().getPort();
    }

    /** docs/examples/panel of the repository this module lives in. */
    private static Path panelFiles() {
        for (Path at = Path.of("").toAbsolutePath(); at != null; at = at.getParent()) {
            Path files = at.resolve("docs/examples/panel");
            if (Files.isRegularFile(files.resolve("index.html"))) {
                return files;
            }
        }
        throw new IllegalStateException(
                "docs/examples/panel not found above " + Path.of("").toAbsolutePath());
    }

    private static void serve(HttpExchange exchange, Path file, String type) throws IOException {
        if (!exchange.getRequestMethod().equals("GET")) {
            respond(exchange, 405, "text/plain", "");
            return;
        }
        respond(exchange, 200, type + "; charset=utf-8", Files.readString(file, StandardCharsets.UTF_8));
    }

    private static void respond(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            exchange.getResponseBody().write(bytes);
        }
        exchange.close();
    }

    private static String enc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /** One call of the panel's API: the bearer token it carried and what Latchkey said of it. */
    private record ApiCall(
            String token, int status, @Nullable String user, Instant at) {
        @Override
        public String toString() {
            // Tokens are never printed, not even by a failing assertion: a fingerprint tells them apart.
            return "ApiCall[token=" + fingerprint(token) + ", status=" + status + ", user=" + user + ", at=" + at + "]";
        }

        private static String fingerprint(String token) {
            try {
                byte[] hash = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
                return "sha256:" + HexFormat.of().formatHex(hash, 0, 4);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
