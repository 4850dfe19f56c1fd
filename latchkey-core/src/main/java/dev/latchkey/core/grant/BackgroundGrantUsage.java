package dev.latchkey.core.grant;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link GrantUsage} decorator that records uses on {@code executor} instead of the caller's
 * thread, so handing out a token never waits for a database write (on PostgreSQL, a WAL flush).
 * Use only steers proactive refresh, so a record that is dropped (the executor is saturated or
 * shut down) or fails costs at most an on-demand refresh later. Queries run on the caller's
 * thread. Thread-safe if the delegate is.
 */
public final class BackgroundGrantUsage implements GrantUsage {
    private static final Logger LOG = LoggerFactory.getLogger(BackgroundGrantUsage.class);

    private final GrantUsage delegate;
    private final Executor executor;

    /**
     * @param executor where writes run; should be bounded (it may reject, which drops the record)
     */
    public BackgroundGrantUsage(GrantUsage delegate, Executor executor) {
        this.delegate = delegate;
        this.executor = executor;
    }

    @Override
    public void recordUse(GrantKey key, Instant at) {
        try {
            executor.execute(() -> {
                try {
                    delegate.recordUse(key, at);
                } catch (RuntimeException e) {
                    LOG.atDebug().log(
                            "recording a grant's use failed ({})", e.getClass().getSimpleName());
                }
            });
        } catch (RejectedExecutionException e) {
            LOG.atDebug().log("recording a grant's use was dropped: the writer is saturated");
        }
    }

    @Override
    public List<DueGrant> dueForRefresh(Instant expiringFrom, Instant expiringBefore, Instant usedSince, int limit) {
        return delegate.dueForRefresh(expiringFrom, expiringBefore, usedSince, limit);
    }

    @Override
    public List<DueGrant> dueForRefresh(DueGrant after, Instant expiringBefore, Instant usedSince, int limit) {
        return delegate.dueForRefresh(after, expiringBefore, usedSince, limit);
    }
}
