package dev.latchkey.server;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.slf4j.LoggerFactory;

/**
 * Collects the events of one logger into a queue. Loggers run on server threads after the
 * response is handed to Jetty, so tests wait for the event instead of reading a list.
 */
final class CapturedLogs extends AppenderBase<ILoggingEvent> implements AutoCloseable {
    private final LinkedBlockingQueue<ILoggingEvent> events = new LinkedBlockingQueue<>();
    private final List<ILoggingEvent> seen = new ArrayList<>();
    private final Logger logger;

    private CapturedLogs(String loggerName) {
        this.logger = (Logger) LoggerFactory.getLogger(loggerName);
    }

    static CapturedLogs of(String loggerName) {
        CapturedLogs logs = new CapturedLogs(loggerName);
        logs.setContext(logs.logger.getLoggerContext());
        logs.start();
        logs.logger.addAppender(logs);
        return logs;
    }

    @Override
    protected void append(ILoggingEvent event) {
        event.prepareForDeferredProcessing();
        events.add(event);
    }

    /** The first event, among those not yet returned, that matches; fails after ten seconds. */
    ILoggingEvent await(Predicate<ILoggingEvent> matching) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            for (ILoggingEvent event : seen) {
                if (matching.test(event)) {
                    seen.remove(event);
                    return event;
                }
            }
            ILoggingEvent next = events.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (next == null) {
                throw new AssertionError("no matching log event on " + logger.getName() + "; saw " + seen);
            }
            seen.add(next);
        }
    }

    @Override
    public void close() {
        logger.detachAppender(this);
        stop();
    }
}
