package dev.latchkey.store;

import dev.latchkey.core.health.HealthCheck;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * Readiness of the database: runs {@code SELECT 1} and answers within its timeout (at most two
 * seconds) even when the pool waits longer for a connection. Concurrent checks share one probe, so
 * a slow database never piles up probing threads. Never throws; the detail names no URL, user or
 * password.
 */
public final class DatabaseHealthCheck implements HealthCheck {
    public static final Duration MAX_TIMEOUT = Duration.ofSeconds(2);

    private final DataSource dataSource;
    private final Duration timeout;
    private final AtomicReference<@Nullable CompletableFuture<Status>> inFlight = new AtomicReference<>();

    /** A check with the longest allowed timeout, two seconds. */
    public DatabaseHealthCheck(DataSource dataSource) {
        this(dataSource, MAX_TIMEOUT);
    }

    /**
     * A check that answers within {@code timeout}.
     *
     * @throws IllegalArgumentException if the timeout is not positive or longer than two seconds
     */
    public DatabaseHealthCheck(DataSource dataSource, Duration timeout) {
        if (timeout.isNegative() || timeout.isZero() || timeout.compareTo(MAX_TIMEOUT) > 0) {
            throw new IllegalArgumentException("database health check timeout must be between 1 ms and 2 s");
        }
        this.dataSource = dataSource;
        this.timeout = timeout;
    }

    @Override
    public String name() {
        return "database";
    }

    @Override
    public Status check() {
        try {
            return probe().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return Status.down("no answer to SELECT 1 within " + timeout.toMillis() + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Status.down("check interrupted");
        } catch (ExecutionException | RuntimeException e) {
            return Status.down("check failed (" + e.getClass().getSimpleName() + ")");
        }
    }

    /** The running probe, or a new one if none runs. */
    private CompletableFuture<Status> probe() {
        while (true) {
            CompletableFuture<Status> running = inFlight.get();
            if (running != null) {
                return running;
            }
            CompletableFuture<Status> fresh = new CompletableFuture<>();
            if (inFlight.compareAndSet(null, fresh)) {
                Thread.ofVirtual().name("latchkey-db-health").start(() -> {
                    Status status = Status.down("database check failed");
                    try {
                        status = selectOne();
                    } finally {
                        // Cleared before completing, so a caller woken by this result starts afresh.
                        inFlight.set(null);
                        fresh.complete(status);
                    }
                });
                return fresh;
            }
        }
    }

    private Status selectOne() {
        try (Connection connection = dataSource.getConnection();
                Statement statement = connection.createStatement()) {
            statement.setQueryTimeout((int) Math.max(1, timeout.toSeconds()));
            try (ResultSet result = statement.executeQuery("SELECT 1")) {
                return result.next() && result.getInt(1) == 1
                        ? Status.up("SELECT 1 answered")
                        : Status.down("SELECT 1 returned no row");
            }
        } catch (SQLException e) {
            return Status.down("database unreachable (SQLState " + e.getSQLState() + ")");
        } catch (RuntimeException e) {
            return Status.down("database check failed (" + e.getClass().getSimpleName() + ")");
        }
    }
}
