package dev.latchkey.server;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.latchkey.core.health.HealthCheck;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class LatchkeyServerBuilderTest {

    private static HealthCheck named(String name) {
        return new HealthCheck() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Status check() {
                return Status.up("ok");
            }
        };
    }

    @Test
    void build_withoutRegistry_namesTheOption() {
        assertThatThrownBy(() -> LatchkeyServer.builder().build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("meterRegistry");
    }

    @Test
    void build_duplicateCheckNames_namesTheCheck() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try {
            assertThatThrownBy(() -> LatchkeyServer.builder()
                            .meterRegistry(registry)
                            .healthCheck(named("database"))
                            .healthCheck(named("database"))
                            .build())
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("healthChecks")
                    .hasMessageContaining("database");
        } finally {
            registry.close();
        }
    }

    @Test
    void options_outOfRange_areRejectedNamingTheOption() {
        assertThatThrownBy(() -> LatchkeyServer.builder().port(70_000)).hasMessageContaining("port");
        assertThatThrownBy(() -> LatchkeyServer.builder().host(" ")).hasMessageContaining("host");
        assertThatThrownBy(() -> LatchkeyServer.builder().drainTimeout(Duration.ofSeconds(-1)))
                .hasMessageContaining("drainTimeout");
        assertThatThrownBy(() -> LatchkeyServer.builder().healthCheckTimeout(Duration.ZERO))
                .hasMessageContaining("healthCheckTimeout");
    }

    @Test
    void start_afterStop_isRefused() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try {
            LatchkeyServer server =
                    LatchkeyServer.builder().port(0).meterRegistry(registry).build();
            server.start();
            server.stop();

            assertThatThrownBy(server::start).isInstanceOf(IllegalStateException.class);
        } finally {
            registry.close();
        }
    }
}
