package dev.latchkey.core.grant;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A {@link GrantUsage} decorator that writes a grant's use at most once per {@code interval} from
 * this process, so a grant handed out on every request costs one database write a minute rather
 * than one per request. Use only has to be known to within the idle limit of proactive refresh
 * (hours), so skipping the writes in between loses nothing. The memory of recent writes is bounded
 * in size; a grant pushed out of it is simply written again. Thread-safe.
 */
public final class ThrottledGrantUsage implements GrantUsage {
    private final GrantUsage delegate;
    private final Duration interval;
    private final Cache<GrantKey, Instant> lastWritten;

    /**
     * @param interval the least time between two writes of one grant's use
     * @param maxGrants how many grants' last writes are remembered
     */
    public ThrottledGrantUsage(GrantUsage delegate, Duration interval, long maxGrants) {
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("interval must be positive");
        }
        if (maxGrants < 1) {
            throw new IllegalArgumentException("maxGrants must be at least 1");
        }
        this.delegate = delegate;
        this.interval = interval;
        // Ages are judged by the instants callers pass (their clock); this expiry only frees memory.
        this.lastWritten = Caffeine.newBuilder()
                .maximumSize(maxGrants)
                .expireAfterWrite(interval)
                .build();
    }

    /**
     * Writes through when this grant's use was not written within the interval before {@code at};
     * concurrent callers for one grant agree on a single writer. A failed write is forgotten, so
     * the next use tries again.
     */
    @Override
    public void recordUse(GrantKey key, Instant at) {
        AtomicBoolean due = new AtomicBoolean();
        lastWritten.asMap().compute(key, (k, last) -> {
            if (last != null && at.isBefore(last.plus(interval))) {
                return last;
            }
            due.set(true);
            return at;
        });
        if (!due.get()) {
            return;
        }
        try {
            delegate.recordUse(key, at);
        } catch (RuntimeException e) {
            lastWritten.asMap().remove(key, at);
            throw e;
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
