package dev.latchkey.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.latchkey.core.health.DependencyUnavailableException;
import io.javalin.http.BadRequestResponse;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class HttpErrorsTest {
    private static final String SECRET_MESSAGE = "token eyJhbGciOiJIUzI1NiJ9.e30.sig leaked";
    private static TestServer test;

    @BeforeAll
    static void start() {
        test = TestServer.start(b -> b.routes(routes -> routes.get("/boom", ctx -> {
                    throw new IllegalStateException(SECRET_MESSAGE);
                })
                .get("/fatal", ctx -> {
                    throw new AssertionError(SECRET_MESSAGE);
                })
                .get("/bad", ctx -> {
                    throw new BadRequestResponse(SECRET_MESSAGE);
                })
                .get("/down", ctx -> {
                    throw new DependencyUnavailableException(
                            "store read failed (SQLState 08001)", new java.sql.SQLException(SECRET_MESSAGE));
                })));
    }

    @AfterAll
    static void stop() {
        test.close();
    }

    private static void assertLeaksNothing(HttpResponse<String> response) {
        assertThat(response.body())
                .doesNotContain(
                        "Exception", "Error", "at dev.", "at io.", "java.", "eyJ", "leaked", "Javalin", "jetty");
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
        assertThat(response.headers().firstValue("Server")).isEmpty();
    }

    @Test
    void unknownRoute_answers404NotFoundJson() {
        HttpResponse<String> response = test.get("/v1/nothing/here");

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.body()).isEqualTo("{\"error\":\"not_found\"}");
        assertLeaksNothing(response);
    }

    @Test
    void wrongMethod_answers405WithAllowHeader() {
        HttpResponse<String> response = test.send(test.request("/health/live")
                .POST(HttpRequest.BodyPublishers.ofString("{}"))
                .build());

        assertThat(response.statusCode()).isEqualTo(405);
        assertThat(response.body()).isEqualTo("{\"error\":\"method_not_allowed\"}");
        assertThat(response.headers().firstValue("Allow"))
                .hasValueSatisfying(allow -> assertThat(allow).contains("GET"));
        assertLeaksNothing(response);
    }

    @Test
    void uncaughtException_answers500WithRequestIdOnly_andLogsClassAndMessageWithoutStack()
            throws InterruptedException {
        try (CapturedLogs errors = CapturedLogs.of(HttpErrors.class.getName())) {
            HttpResponse<String> response = test.get("/boom");

            String id = response.headers().firstValue("X-Request-Id").orElseThrow();
            assertThat(response.statusCode()).isEqualTo(500);
            assertThat(response.body()).isEqualTo("{\"error\":\"server_error\",\"id\":\"" + id + "\"}");
            assertLeaksNothing(response);

            ILoggingEvent logged = errors.await(e -> e.getLevel() == Level.ERROR);
            assertThat(logged.getFormattedMessage())
                    .contains("java.lang.IllegalStateException")
                    .contains(SECRET_MESSAGE)
                    .contains("/boom");
            assertThat(logged.getThrowableProxy()).isNull();
            assertThat(logged.getMDCPropertyMap()).containsEntry(RequestIdFilter.MDC_KEY, id);
        }
    }

    @Test
    void javaLangError_answers500JsonWithoutDetails() {
        HttpResponse<String> response = test.get("/fatal");

        String id = response.headers().firstValue("X-Request-Id").orElseThrow();
        assertThat(response.statusCode()).isEqualTo(500);
        assertThat(response.body()).isEqualTo("{\"error\":\"server_error\",\"id\":\"" + id + "\"}");
        assertLeaksNothing(response);
    }

    @Test
    void unavailableDependency_answersRetryable503_notA500() {
        HttpResponse<String> response = test.get("/down");

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.headers().firstValue("Retry-After")).hasValue("5");
        assertThat(response.body()).isEqualTo("{\"error\":\"temporarily_unavailable\",\"retryable\":true}");
        assertLeaksNothing(response);
    }

    @Test
    void httpResponseException_answersItsStatusWithFixedCodeNotItsMessage() {
        HttpResponse<String> response = test.get("/bad");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).isEqualTo("{\"error\":\"bad_request\"}");
        assertLeaksNothing(response);
    }

    @Test
    void oversizedHeader_isRefusedByJettyWith431Json() {
        HttpResponse<String> response = test.send(test.request("/health/live")
                .header("X-Padding", "a".repeat(20 * 1024))
                .build());

        assertThat(response.statusCode()).isEqualTo(431);
        assertThat(response.body()).isEqualTo("{\"error\":\"request_header_fields_too_large\"}");
        assertLeaksNothing(response);
    }

    @Test
    void headerJustUnderTheLimit_isAccepted() {
        HttpResponse<String> response = test.send(test.request("/health/live")
                .header("X-Padding", "a".repeat(15 * 1024))
                .build());

        assertThat(response.statusCode()).isEqualTo(200);
    }
}
