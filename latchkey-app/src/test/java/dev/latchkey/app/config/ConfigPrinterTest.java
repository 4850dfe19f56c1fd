package dev.latchkey.app.config;

import static dev.latchkey.app.config.ConfigFixtures.FULL;
import static dev.latchkey.app.config.ConfigFixtures.MINIMAL;
import static dev.latchkey.app.config.ConfigFixtures.loader;
import static dev.latchkey.app.config.ConfigFixtures.valid;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigPrinterTest {

    @Test
    void describe_reloadsToTheSameConfiguration() {
        LatchkeyConfig config = valid(loader().loadText(FULL));

        String described = config.describe();
        LatchkeyConfig reloaded = valid(loader().loadText(described));

        // Secrets come back as the literal mask, so compare what is printed, not the records.
        assertThat(reloaded.describe()).isEqualTo(described);
        assertThat(reloaded.server()).isEqualTo(config.server());
        assertThat(reloaded.refresh()).isEqualTo(config.refresh());
        assertThat(reloaded.tenants().keySet()).isEqualTo(config.tenants().keySet());
    }

    @Test
    void describe_spellsOutDefaults() {
        String described = valid(loader(Map.of()).loadText(MINIMAL)).describe();

        assertThat(described)
                .contains(
                        "port: 8080",
                        "drainTimeout: 10s",
                        "url: jdbc:h2:file:./data/latchkey",
                        "keyset: file:./data/keyset.json",
                        "level: INFO",
                        "deadline: 10s",
                        "proactive: true",
                        "window: 5m",
                        "idleLimit: 24h",
                        "ratePerSecond: 20",
                        "concurrency: 4",
                        "clockSkew: 1m",
                        "provisioning: \"off\"")
                .doesNotContain("password", "login");
    }

    @Test
    void duration_usesTheLargestWholeUnit() {
        assertThat(ConfigPrinter.duration(Duration.ofMillis(1500))).isEqualTo("1500ms");
        assertThat(ConfigPrinter.duration(Duration.ofSeconds(90))).isEqualTo("90s");
        assertThat(ConfigPrinter.duration(Duration.ofMinutes(5))).isEqualTo("5m");
        assertThat(ConfigPrinter.duration(Duration.ofHours(2))).isEqualTo("2h");
        assertThat(ConfigPrinter.duration(Duration.ZERO)).isEqualTo("0s");
    }
}
