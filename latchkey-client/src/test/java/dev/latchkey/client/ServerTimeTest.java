package dev.latchkey.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpHeaders;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServerTimeTest {
    private static final Instant LOCAL = Instant.parse("2030-01-01T00:05:00Z");

    @Test
    void toLocal_serverDate_shiftsByClockDifference() {
        HttpHeaders headers = headers("Date", "Tue, 01 Jan 2030 00:00:00 GMT");

        assertThat(ServerTime.toLocal(Instant.parse("2030-01-01T00:02:00Z"), headers, LOCAL))
                .isEqualTo(LOCAL.plus(Duration.ofMinutes(2)));
    }

    @Test
    void toLocal_noOrUnreadableDate_serverInstantAsIs() {
        Instant server = Instant.parse("2030-01-01T00:02:00Z");

        assertThat(ServerTime.toLocal(server, headers(), LOCAL)).isEqualTo(server);
        assertThat(ServerTime.toLocal(server, headers("Date", "yesterday"), LOCAL))
                .isEqualTo(server);
    }

    @Test
    void retryAfter_deltaSeconds() {
        assertThat(ServerTime.retryAfter(headers("Retry-After", "120"), LOCAL)).isEqualTo(Duration.ofMinutes(2));
    }

    @Test
    void retryAfter_httpDate_measuredAgainstServerDate() {
        HttpHeaders headers =
                headers("Date", "Tue, 01 Jan 2030 00:00:00 GMT", "Retry-After", "Tue, 01 Jan 2030 00:00:30 GMT");

        assertThat(ServerTime.retryAfter(headers, LOCAL)).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void retryAfter_pastOrUnreadable() {
        assertThat(ServerTime.retryAfter(headers("Retry-After", "Mon, 01 Jan 2029 00:00:00 GMT"), LOCAL))
                .isEqualTo(Duration.ZERO);
        assertThat(ServerTime.retryAfter(headers("Retry-After", "-5"), LOCAL)).isNull();
        assertThat(ServerTime.retryAfter(headers("Retry-After", "soon"), LOCAL)).isNull();
        assertThat(ServerTime.retryAfter(headers(), LOCAL)).isNull();
    }

    private static HttpHeaders headers(String... namesAndValues) {
        Map<String, List<String>> map = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            map.put(namesAndValues[i], List.of(namesAndValues[i + 1]));
        }
        return HttpHeaders.of(map, (name, value) -> true);
    }
}
