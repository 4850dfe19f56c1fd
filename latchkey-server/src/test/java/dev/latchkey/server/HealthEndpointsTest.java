package dev.latchkey.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.latchkey.core.health.HealthCheck;
import dev.latchkey.core.health.HealthCheck.Status;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class HealthEndpointsTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static HealthCheck check(String name, Supplier<Status> status) {
        return new HealthCheck() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Status check() {
                return status.get();
            }
        };
    }

    @Test
    void live_always_answersBareUp() {
        try (TestServer test = TestServer.start(b -> b.healthCheck(check("database", () -> Status.down("refused"))))) {
            HttpResponse<String> response = test.get("/health/live");

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("{\"status\":\"up\"}");
            assertThat(response.headers().firstValue("Content-Type"))
                    .hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
        }
    }

    @Test
    void ready_allChecksUp_answers200WithEachCheck() {
        try (TestServer test = TestServer.start(b -> b.healthCheck(check("database", () -> Status.up("select 1 ok")))
                .healthCheck(check("keys", () -> Status.up("primary key usable"))))) {
            HttpResponse<String> response = test.get("/health/ready");

            assertThat(response.statusCode()).isEqualTo(200);
            JsonNode body = JSON.readTree(response.body());
            assertThat(body.get("status").asString()).isEqualTo("ready");
            assertThat(body.get("checks").get("database").get("healthy").asBoolean())
                    .isTrue();
            assertThat(body.get("checks").get("database").get("detail").asString())
                    .isEqualTo("select 1 ok");
            assertThat(body.get("checks").get("keys").get("healthy").asBoolean())
                    .isTrue();
        }
    }

    @Test
    void ready_oneCheckDown_answers503NotReady() {
        try (TestServer test = TestServer.start(b -> b.healthCheck(check("database", () -> Status.down("refused")))
                .healthCheck(check("keys", () -> Status.up("ok"))))) {
            HttpResponse<String> response = test.get("/health/ready");

            assertThat(response.statusCode()).isEqualTo(503);
            JsonNode body = JSON.readTree(response.body());
            assertThat(body.get("status").asString()).isEqualTo("not_ready");
            assertThat(body.get("checks").get("database").get("healthy").asBoolean())
                    .isFalse();
            assertThat(body.get("checks").get("database").get("detail").asString())
                    .isEqualTo("refused");
            assertThat(body.get("checks").get("keys").get("healthy").asBoolean())
                    .isTrue();
        }
    }

    @Test
    void ready_hangingCheck_answersTimedOutAndInterruptsIt() throws InterruptedException {
        CountDownLatch never = new CountDownLatch(1);
        CountDownLatch interrupted = new CountDownLatch(1);
        HealthCheck hanging = check("database", () -> {
            try {
                never.await();
                return Status.up("unreachable");
            } catch (InterruptedException e) {
                interrupted.countDown();
                return Status.down("interrupted");
            }
        });
        try (TestServer test =
                TestServer.start(b -> b.healthCheck(hanging).healthCheckTimeout(Duration.ofMillis(200)))) {
            HttpResponse<String> response = test.get("/health/ready");

            assertThat(response.statusCode()).isEqualTo(503);
            JsonNode database = JSON.readTree(response.body()).get("checks").get("database");
            assertThat(database.get("healthy").asBoolean()).isFalse();
            assertThat(database.get("detail").asString()).isEqualTo("timed out");
            assertThat(interrupted.await(10, TimeUnit.SECONDS)).isTrue();
        } finally {
            never.countDown();
        }
    }

    @Test
    void ready_throwingCheck_isDownWithoutItsMessage() {
        try (TestServer test = TestServer.start(b -> b.healthCheck(check("database", () -> {
            throw new IllegalStateException("jdbc:postgresql://db.internal/latchkey?password=hunter2");
        })))) {
            HttpResponse<String> response = test.get("/health/ready");

            assertThat(response.statusCode()).isEqualTo(503);
            assertThat(response.body())
                    .contains("\"detail\":\"check failed\"")
                    .doesNotContain("hunter2", "db.internal", "IllegalStateException");
        }
    }

    @Test
    void ready_noChecks_isReady() {
        try (TestServer test = TestServer.start()) {
            HttpResponse<String> response = test.get("/health/ready");

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("{\"status\":\"ready\",\"checks\":{}}");
        }
    }
}
