package dev.latchkey.core.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A clock the core's tests move by hand. Core cannot use the testkit's {@code MutableClock}: the
 * testkit depends on core. Thread-safe; always UTC.
 */
public final class TestClock extends Clock {
    private final AtomicReference<Instant> now;

    /** A clock at 2030-01-01T00:00:00Z. */
    public TestClock() {
        this(Instant.parse("2030-01-01T00:00:00Z"));
    }

    public TestClock(Instant start) {
        this.now = new AtomicReference<>(start);
    }

    public void advance(Duration duration) {
        now.updateAndGet(instant -> instant.plus(duration));
    }

    @Override
    public Instant instant() {
        return now.get();
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new IllegalArgumentException("TestClock is always UTC");
    }
}
