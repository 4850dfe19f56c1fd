package dev.latchkey.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.remote.http.ClientConfig;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A headless Chromium (Debian's {@code chromium} and {@code chromium-driver} packages) driven
 * through Selenium, with a fresh profile in the test's directory. Selenium Manager is never run
 * and nothing is downloaded: the browser and the driver are the Debian binaries, named
 * explicitly. Every browser command is bounded in time (page loads and scripts by 30 s, each
 * WebDriver call by 90 s), and every wait here polls against a deadline. If the binaries are
 * absent and the test runs as root, they are installed with apt-get once (bounded in time);
 * otherwise the fixture fails saying which packages to install.
 */
public final class Chromium implements AutoCloseable {
    private static final Path BROWSER = Path.of("/usr/bin/chromium");
    private static final Path DRIVER = Path.of("/usr/bin/chromedriver");
    private static final List<String> PACKAGES = List.of("chromium", "chromium-driver");
    private static final Duration PAGE_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration POLL = Duration.ofMillis(50);

    private final ChromeDriverService service;
    private final ChromeDriver driver;

    private Chromium(ChromeDriverService service, ChromeDriver driver) {
        this.service = service;
        this.driver = driver;
    }

    /**
     * Starts chromedriver and a headless Chromium whose profile lives in {@code dir}/chromium;
     * chromedriver's log goes to {@code dir}/chromedriver.log and is quoted if the start fails.
     */
    public static Chromium start(Path dir) {
        ensureInstalled();
        keepSeleniumOffline();
        Path profile = dir.resolve("chromium");
        Path log = dir.resolve("chromedriver.log");
        try {
            Files.createDirectories(profile);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(BROWSER.toString());
        options.addArguments(
                "--headless=new",
                // Tests run as root in containers, where Chromium's sandbox cannot start.
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                // No update checks, sync, metrics upload or default apps: the tests have no internet.
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-extensions",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-default-apps",
                "--metrics-recording-only",
                "--password-store=basic",
                "--window-size=1280,800",
                "--user-data-dir=" + profile);
        options.setPageLoadTimeout(PAGE_TIMEOUT);
        options.setScriptTimeout(PAGE_TIMEOUT);
        options.setImplicitWaitTimeout(Duration.ZERO);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(DRIVER.toFile())
                .usingAnyFreePort()
                .withTimeout(PAGE_TIMEOUT)
                .withLogFile(log.toFile())
                .build();
        try {
            ChromeDriver driver = new ChromeDriver(
                    service, options, ClientConfig.defaultConfig().readTimeout(COMMAND_TIMEOUT));
            return new Chromium(service, driver);
        } catch (WebDriverException e) {
            service.stop();
            throw new IllegalStateException("Chromium did not start; chromedriver log:\n" + tail(log), e);
        }
    }

    /** The underlying WebDriver, for anything the helpers here do not cover. */
    public WebDriver driver() {
        return driver;
    }

    /** Navigates to {@code uri} and returns once its load event fired (at most 30 s). */
    public void open(URI uri) {
        driver.get(uri.toString());
    }

    /** The URL of the page the browser shows now. */
    public URI currentUri() {
        String url = driver.getCurrentUrl();
        return URI.create(url == null ? "about:blank" : url);
    }

    /**
     * Polls until the browser's URL satisfies {@code condition} (a redirect chain such as an
     * OAuth login ending at a callback) and returns that URL. On timeout the message names the
     * last URL without its query and fragment, which may carry an authorization code.
     */
    public URI waitForUrl(Predicate<URI> condition, Duration timeout) {
        try {
            return poll(timeout, unused -> {
                URI now = currentUri();
                return condition.test(now) ? now : null;
            });
        } catch (TimeoutException e) {
            throw new AssertionError(
                    "the browser's URL did not reach the expected one within " + timeout + "; it is at "
                            + withoutQuery(currentUri()),
                    e);
        }
    }

    /** Polls until the page's visible text contains {@code expected}, and returns that text. */
    public String waitForText(String expected, Duration timeout) {
        try {
            return poll(timeout, unused -> {
                String text = pageText();
                return text.contains(expected) ? text : null;
            });
        } catch (TimeoutException e) {
            throw new AssertionError(
                    "the page at " + withoutQuery(currentUri()) + " did not show '" + expected + "' within " + timeout
                            + "; it shows:\n" + pageText(),
                    e);
        }
    }

    /** The cookies the browser holds for the current page's domain, {@code HttpOnly} ones included. */
    public Set<Cookie> cookies() {
        return driver.manage().getCookies();
    }

    /** The visible text of the current page's body, or "" while there is none. */
    public String pageText() {
        try {
            return driver.findElements(By.tagName("body")).stream()
                    .findFirst()
                    .map(body -> body.getText())
                    .orElse("");
        } catch (StaleElementReferenceException navigatedMeanwhile) {
            return "";
        }
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            service.stop();
        }
    }

    /** Polls {@code probe} until it answers non-null; WebDriverWait throws TimeoutException at the deadline. */
    private <T> T poll(Duration timeout, Function<WebDriver, @Nullable T> probe) {
        WebDriverWait wait = new WebDriverWait(driver, timeout, POLL);
        wait.ignoring(StaleElementReferenceException.class);
        return Objects.requireNonNull(wait.until(probe));
    }

    private static String withoutQuery(URI uri) {
        return uri.getScheme() + ":" + (uri.getRawAuthority() == null ? "" : "//" + uri.getRawAuthority())
                + (uri.getRawPath() == null ? "" : uri.getRawPath());
    }

    /**
     * Makes sure Selenium never runs Selenium Manager (which would look for, and download,
     * browsers and drivers) and sends nothing anywhere: the driver path is also given as the
     * system property Selenium checks before calling it, and if it ever ran anyway, the
     * {@code SE_*} properties, which Selenium passes to it as environment, keep it offline and
     * without statistics. Selenium's own OpenTelemetry tracing is switched off.
     */
    private static synchronized void keepSeleniumOffline() {
        System.setProperty(ChromeDriverService.CHROME_DRIVER_EXE_PROPERTY, DRIVER.toString());
        System.setProperty("SE_OFFLINE", "true");
        System.setProperty("SE_AVOID_STATS", "true");
        System.setProperty("webdriver.remote.enableTracing", "false");
    }

    private static synchronized void ensureInstalled() {
        if (Files.isExecutable(BROWSER) && Files.isExecutable(DRIVER)) {
            return;
        }
        if (!"root".equals(System.getProperty("user.name"))) {
            throw new IllegalStateException("Chromium is not installed: run 'apt-get install --no-install-recommends "
                    + String.join(" ", PACKAGES) + "' (Debian) as root");
        }
        run(List.of("apt-get", "update", "-qq"));
        run(concat(List.of("apt-get", "install", "-y", "-qq", "--no-install-recommends"), PACKAGES));
        if (!Files.isExecutable(BROWSER) || !Files.isExecutable(DRIVER)) {
            throw new IllegalStateException("apt-get did not install " + BROWSER + " and " + DRIVER);
        }
    }

    private static List<String> concat(List<String> first, List<String> second) {
        return Stream.concat(first.stream(), second.stream()).toList();
    }

    private static void run(List<String> command) {
        try {
            ProcessBuilder builder = new ProcessBuilder(command).inheritIO();
            builder.environment().put("DEBIAN_FRONTEND", "noninteractive");
            Process process = builder.start();
            if (!process.waitFor(5, TimeUnit.MINUTES) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static String tail(Path log) {
        try {
            if (!Files.exists(log)) {
                return "(no log)";
            }
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }
}
