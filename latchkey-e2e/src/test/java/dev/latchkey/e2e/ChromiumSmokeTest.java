package dev.latchkey.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.latchkey.testkit.Chromium;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.JavascriptExecutor;

/**
 * The headless Chromium the browser-login tests rely on does what a real browser does: runs a
 * page's JavaScript, makes a cross-origin {@code fetch()} that the other origin allows by CORS
 * (and is refused one it does not allow), and keeps an {@code HttpOnly} cookie away from scripts
 * while still holding it; and the fixture follows a scripted redirect to another origin's
 * callback, the way a browser login ends.
 */
class ChromiumSmokeTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private HttpServer app;
    private HttpServer api;
    private Chromium chromium;
    private final List<String> apiSawOrigins = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws IOException {
        api = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        app = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        String appOrigin = origin(app);
        api.createContext("/ping", exchange -> {
            String origin = exchange.getRequestHeaders().getFirst("Origin");
            apiSawOrigins.add(String.valueOf(origin));
            // CORS (WHATWG Fetch, "CORS protocol"): the allowed origin is echoed exactly, never "*".
            if (appOrigin.equals(origin)) {
                exchange.getResponseHeaders().set("Access-Control-Allow-Origin", appOrigin);
                exchange.getResponseHeaders().set("Vary", "Origin");
            }
            respond(exchange, "text/plain", "pong");
        });
        // The same kind of answer without CORS headers: the browser must hide it from the page.
        api.createContext("/private", exchange -> {
            apiSawOrigins.add(String.valueOf(exchange.getRequestHeaders().getFirst("Origin")));
            respond(exchange, "text/plain", "secret");
        });
        api.createContext("/callback", exchange -> respond(exchange, "text/plain", "signed in"));
        // A login page that sends the browser on by script, as an IdP's form post does.
        app.createContext(
                "/login", exchange -> respond(exchange, "text/html; charset=utf-8", """
                <!doctype html><html><body><p>signing in</p><script>
                  setTimeout(() => location.assign("API/callback?code=one-time&state=s1"), 100);
                </script></body></html>
                """.replace("API", origin(api))));
        app.createContext("/", exchange -> {
            exchange.getResponseHeaders()
                    .add("Set-Cookie", "lk_session=opaque-session-id; Path=/; HttpOnly; SameSite=Lax");
            exchange.getResponseHeaders().add("Set-Cookie", "lk_visible=shown; Path=/; SameSite=Lax");
            respond(exchange, "text/html; charset=utf-8", page(origin(api)));
        });
        api.start();
        app.start();
        chromium = Chromium.start(dir);
    }

    @AfterEach
    void stop() {
        if (chromium != null) {
            chromium.close();
        }
        if (app != null) {
            app.stop(0);
        }
        if (api != null) {
            api.stop(0);
        }
    }

    @Test
    void runsScriptsAndFetchesOnlyFromOriginsThatAllowIt() {
        chromium.open(URI.create(origin(app) + "/"));

        chromium.waitForText("ping: pong", WAIT);
        String text = chromium.waitForText("private: blocked", WAIT);

        assertThat(text).doesNotContain("secret");
        assertThat(apiSawOrigins).hasSize(2).containsOnly(origin(app));
    }

    @Test
    void keepsHttpOnlyCookiesFromScriptsButHoldsThem() {
        chromium.open(URI.create(origin(app) + "/"));

        Object scriptCookies = ((JavascriptExecutor) chromium.driver()).executeScript("return document.cookie");

        assertThat(String.valueOf(scriptCookies)).contains("lk_visible=shown").doesNotContain("lk_session");
        assertThat(chromium.cookies())
                .filteredOn(cookie -> cookie.getName().equals("lk_session"))
                .singleElement()
                .satisfies(cookie -> {
                    assertThat(cookie.getValue()).isEqualTo("opaque-session-id");
                    assertThat(cookie.getPath()).isEqualTo("/");
                    assertThat(cookie.isHttpOnly()).isTrue();
                    assertThat(cookie.getSameSite()).isEqualTo("Lax");
                });
    }

    @Test
    void waitsForTheRedirectToTheCallback() {
        chromium.open(URI.create(origin(app) + "/login"));

        URI callback = chromium.waitForUrl(uri -> uri.getPath().equals("/callback"), WAIT);

        assertThat(callback.getPort()).isEqualTo(api.getAddress().getPort());
        assertThat(callback.getQuery()).isEqualTo("code=one-time&state=s1");
        assertThat(chromium.waitForText("signed in", WAIT)).doesNotContain("signing in");
    }

    private static String page(String apiOrigin) {
        return """
                <!doctype html>
                <html><head><title>smoke</title></head>
                <body>
                <p id="ping">ping: waiting</p>
                <p id="private">private: waiting</p>
                <script>
                  const show = (id, text) => { document.getElementById(id).textContent = id + ": " + text; };
                  fetch("API/ping").then(r => r.text()).then(t => show("ping", t), e => show("ping", "failed " + e));
                  fetch("API/private").then(r => r.text()).then(t => show("private", t), () => show("private", "blocked"));
                </script>
                </body></html>
                """.replace("API", apiOrigin);
    }

    private static String origin(HttpServer server) {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private static void respond(HttpExchange exchange, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(200, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }
}
