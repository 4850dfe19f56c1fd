package dev.latchkey.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

class MetricsEndpointTest {

    private static List<String> requestSeries(String scrape) {
        return scrape.lines()
                .filter(line -> line.startsWith("http_server_requests_seconds_count{"))
                .toList();
    }

    @Test
    void metrics_afterStart_exposesJvmMetersInPrometheusText() {
        try (TestServer test = TestServer.start()) {
            HttpResponse<String> response = test.get("/metrics");

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type"))
                    .hasValue("text/plain; version=0.0.4; charset=utf-8");
            assertThat(response.body())
                    .contains("jvm_memory_used_bytes")
                    .contains("jvm_threads_live_threads")
                    .contains("jvm_classes_loaded_classes")
                    .contains("system_cpu_count")
                    .contains("process_uptime_seconds")
                    .contains("jvm_gc_");
        }
    }

    @Test
    void requestTimer_pathsWithDifferentIds_shareOneRouteTemplateSeries() throws InterruptedException {
        try (CapturedLogs access = CapturedLogs.of(AccessLog.LOGGER);
                TestServer test = TestServer.start(b ->
                        b.routes(routes -> routes.get("/items/{id}", ctx -> ctx.result(ctx.pathParam("id")))))) {
            assertThat(test.get("/items/alpha-4711").statusCode()).isEqualTo(200);
            assertThat(test.get("/items/beta-0815").statusCode()).isEqualTo(200);
            // The timer is recorded just before the access line is written.
            access.await(e -> e.getFormattedMessage().contains("/items/{id}"));
            access.await(e -> e.getFormattedMessage().contains("/items/{id}"));

            String scrape = test.get("/metrics").body();

            assertThat(requestSeries(scrape))
                    .filteredOn(line -> line.contains("route=\"/items/{id}\""))
                    .singleElement()
                    .satisfies(line -> assertThat(line)
                            .contains("method=\"GET\"")
                            .contains("status=\"200\"")
                            .endsWith(" 2"));
            assertThat(scrape).doesNotContain("alpha-4711", "beta-0815");
        }
    }

    @Test
    void requestTimer_unknownPathsAndMethods_areTaggedUnmatchedAndOther() throws InterruptedException {
        try (CapturedLogs access = CapturedLogs.of(AccessLog.LOGGER);
                TestServer test = TestServer.start()) {
            test.get("/no/such/path/one");
            test.get("/no/such/path/two");
            test.send(test.request("/health/live")
                    .method("BREW", HttpRequest.BodyPublishers.noBody())
                    .build());
            access.await(e -> e.getFormattedMessage().contains("404"));
            access.await(e -> e.getFormattedMessage().contains("404"));
            access.await(e -> e.getFormattedMessage().startsWith("OTHER"));

            List<String> series = requestSeries(test.get("/metrics").body());

            assertThat(series)
                    .filteredOn(line -> line.contains("status=\"404\""))
                    .singleElement()
                    .satisfies(line ->
                            assertThat(line).contains("route=\"unmatched\"").endsWith(" 2"));
            assertThat(series).noneMatch(line -> line.contains("/no/such/path") || line.contains("BREW"));
            assertThat(series).anyMatch(line -> line.contains("method=\"OTHER\""));
        }
    }
}
