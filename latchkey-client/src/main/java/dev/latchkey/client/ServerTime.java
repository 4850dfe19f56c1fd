package dev.latchkey.client;

import java.net.http.HttpHeaders;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Reads the server's clock from a response so that expiries are judged against it, not against a
 * local clock that may be minutes off (RFC 7519 §4.1.4 leaves leeway to the reader; RFC 9110
 * §6.6.1 makes the origin server's {@code Date} the reference).
 */
final class ServerTime {
    private static final Pattern DELTA_SECONDS = Pattern.compile("[0-9]{1,9}");

    private ServerTime() {}

    /** The response's {@code Date} (RFC 9110 §5.6.7 IMF-fixdate), if present and readable. */
    static Optional<Instant> date(HttpHeaders headers) {
        return headers.firstValue("Date").flatMap(ServerTime::httpDate);
    }

    /**
     * The local instant that corresponds to {@code serverInstant}: its distance from the {@code
     * Date} of the response that carried it, added to {@code localAnchor}, the local time the
     * request was sent. Anchoring at the send time rather than the receipt errs early by the round
     * trip, never late. Without a readable {@code Date} the server's instant is taken as is.
     */
    static Instant toLocal(Instant serverInstant, HttpHeaders headers, Instant localAnchor) {
        Optional<Instant> serverDate = date(headers);
        if (serverDate.isEmpty()) {
            return serverInstant;
        }
        return localAnchor.plus(Duration.between(serverDate.get(), serverInstant));
    }

    /**
     * {@code Retry-After} (RFC 9110 §10.2.3): delta-seconds, or an HTTP-date measured against the
     * response's {@code Date} (else against {@code localNow}); never negative. Null when absent or
     * unreadable.
     */
    static @Nullable Duration retryAfter(HttpHeaders headers, Instant localNow) {
        Optional<String> value = headers.firstValue("Retry-After").map(String::trim);
        if (value.isEmpty()) {
            return null;
        }
        if (DELTA_SECONDS.matcher(value.get()).matches()) {
            return Duration.ofSeconds(Long.parseLong(value.get()));
        }
        Optional<Instant> at = httpDate(value.get());
        if (at.isEmpty()) {
            return null;
        }
        Duration wait = Duration.between(date(headers).orElse(localNow), at.get());
        return wait.isNegative() ? Duration.ZERO : wait;
    }

    private static Optional<Instant> httpDate(String value) {
        try {
            return Optional.of(ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME)
                    .toInstant());
        } catch (DateTimeException e) {
            return Optional.empty();
        }
    }
}
