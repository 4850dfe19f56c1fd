package dev.latchkey.core.grant;

import dev.latchkey.core.secret.Secret;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Hands out working tokens for grants and refreshes them so that, for one grant, at most one call
 * to the token endpoint is in flight at any moment — in this process and across every replica
 * sharing the {@link GrantLease} — and no answer ever overwrites a newer one (DESIGN.md, "The
 * refresh coordinator"). Thread-safe.
 *
 * <ul>
 *   <li>In process, concurrent callers for one grant share one in-flight future; its map entry is
 *       removed before it completes, so no result outlives the attempt that produced it.
 *   <li>The in-process leader takes the grant's lease, re-reads the grant under it and refreshes
 *       only if it is still stale (or still holds the rejected token); otherwise it polls the
 *       store with bounded backoff until its deadline and re-reads once more before giving up.
 *   <li>Every write is a compare-and-set on the version read; a lost race yields the winner's
 *       token. An answer that arrives after the deadline is written the same way, so it is kept
 *       exactly when nothing newer was stored meanwhile.
 *   <li>A terminal refusal deletes the grant (only the version read); a transient failure keeps
 *       it and keeps serving an access token that has not yet expired.
 * </ul>
 */
public final class RefreshCoordinator {
    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");
    // A caller that joins an in-process refresh waits for the leader's whole budget (wait plus
    // refresh) and this much more for the store round trips, then re-reads the store itself.
    private static final Duration JOIN_MARGIN = Duration.ofSeconds(1);

    /** What the coordinator reports; metrics and audit subscribe. Methods must not throw. */
    public interface Listener {
        /** A refresh stored a new token set. */
        default void refreshed(GrantKey key) {}

        /** A refresh answer lost the compare-and-set; the winner's token set was used. */
        default void lostRace(GrantKey key) {}

        /** The server refused the grant for good; the grant was ended. */
        default void terminal(GrantKey key, String error) {}

        /** A refresh failed for now; the grant was kept. */
        default void transientFailure(GrantKey key, String reason) {}

        /** A caller gave up waiting for another holder's refresh. */
        default void waitExpired(GrantKey key) {}

        /** An answer arrived after its deadline; {@code stored} says whether it was written. */
        default void lateAnswer(GrantKey key, boolean stored) {}

        Listener NONE = new Listener() {};
    }

    /**
     * The coordinator's timing.
     *
     * @param deadline the longest a caller waits for a token, refresh included (default 10 s)
     * @param leaseTtl how long a lease lasts if its holder dies; longer than the deadline
     * @param pollStart the first pause of a caller polling for another holder's refresh
     * @param pollMax the longest pause between polls
     * @param retryAfter what to tell callers when the server named no wait of its own
     */
    public record Settings(
            Duration deadline, Duration leaseTtl, Duration pollStart, Duration pollMax, Duration retryAfter) {
        public Settings {
            if (deadline.isNegative() || deadline.isZero()) {
                throw new IllegalArgumentException("deadline must be positive");
            }
            if (leaseTtl.compareTo(deadline) <= 0) {
                throw new IllegalArgumentException("lease TTL must be longer than the deadline");
            }
            if (pollStart.isNegative() || pollStart.isZero() || pollMax.compareTo(pollStart) < 0) {
                throw new IllegalArgumentException("poll pauses must be positive and pollMax >= pollStart");
            }
            if (retryAfter.isNegative()) {
                throw new IllegalArgumentException("retry-after must not be negative");
            }
        }

        /** A 10 s deadline, a 30 s lease, polls from 20 ms backing off to 500 ms, retry after 5 s. */
        public static Settings defaults() {
            return withDeadline(Duration.ofSeconds(10));
        }

        /** The defaults with another deadline; the lease lasts three deadlines. */
        public static Settings withDeadline(Duration deadline) {
            return new Settings(
                    deadline,
                    deadline.multipliedBy(3),
                    Duration.ofMillis(20),
                    Duration.ofMillis(500),
                    Duration.ofSeconds(5));
        }
    }

    private final TokenStore store;
    private final GrantLease lease;
    private final TokenEndpoint endpoint;
    private final Clock clock;
    private final String owner;
    private final Settings settings;
    private final Listener listener;
    private final ConcurrentMap<GrantKey, CompletableFuture<TokenResult>> inFlight = new ConcurrentHashMap<>();

    /**
     * @param owner this replica's name in leases; unique per process
     */
    public RefreshCoordinator(
            TokenStore store,
            GrantLease lease,
            TokenEndpoint endpoint,
            Clock clock,
            String owner,
            Settings settings,
            Listener listener) {
        if (owner.isBlank() || owner.length() > 255) {
            throw new IllegalArgumentException("lease owner must be 1 to 255 characters");
        }
        this.store = store;
        this.lease = lease;
        this.endpoint = endpoint;
        this.clock = clock;
        this.owner = owner;
        this.settings = settings;
        this.listener = listener;
    }

    /**
     * A token for {@code key} that does not expire within {@code skew}, refreshed first if needed.
     * While a refresh fails transiently, an access token that has not yet expired is still served.
     */
    public TokenResult currentToken(GrantKey key, Duration skew) {
        if (skew.isNegative()) {
            throw new IllegalArgumentException("skew must not be negative");
        }
        return coordinate(key, new Stale(skew));
    }

    /**
     * A replacement for an access token the resource rejected, named by the lower-case hex SHA-256
     * of its value. If the stored token already differs (somebody refreshed meanwhile), it is
     * returned without a refresh; otherwise the grant is refreshed once for all callers.
     */
    public TokenResult refreshAfterRejection(GrantKey key, String rejectedTokenSha256) {
        String hash = rejectedTokenSha256.toLowerCase(Locale.ROOT);
        if (!SHA256_HEX.matcher(hash).matches()) {
            throw new IllegalArgumentException("rejected token hash must be 64 hex digits");
        }
        return coordinate(key, new Rejected(hash));
    }

    private TokenResult coordinate(GrantKey key, Need need) {
        Optional<TokenResult> settled = settledWithoutRefresh(store.find(key), need);
        if (settled.isPresent()) {
            return settled.get();
        }
        // A joiner may share an attempt that settled for a different need (e.g. a skew check that
        // found the rejected token still fresh); it then leads one attempt of its own.
        TokenResult result = joinOrLead(key, need);
        if (need.accepts(result)) {
            return result;
        }
        result = joinOrLead(key, need);
        return need.accepts(result) ? result : new TokenResult.TemporarilyUnavailable(settings.retryAfter());
    }

    private TokenResult joinOrLead(GrantKey key, Need need) {
        CompletableFuture<TokenResult> mine = new CompletableFuture<>();
        CompletableFuture<TokenResult> running = inFlight.putIfAbsent(key, mine);
        if (running != null) {
            return await(key, running, need);
        }
        TokenResult result;
        try {
            result = acquireAndRefresh(key, need);
        } catch (RuntimeException | Error e) {
            inFlight.remove(key, mine);
            mine.completeExceptionally(e);
            throw e;
        }
        inFlight.remove(key, mine);
        mine.complete(result);
        return result;
    }

    private TokenResult await(GrantKey key, CompletableFuture<TokenResult> running, Need need) {
        Duration patience = leaderBudget().plus(JOIN_MARGIN);
        try {
            return running.get(patience.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            listener.waitExpired(key);
            return lastLook(key, need, null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new TokenResult.TemporarilyUnavailable(settings.retryAfter());
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw new IllegalStateException("refresh failed", e.getCause());
        }
    }

    /** The most one leader spends: its wait budget plus the least share a late lease still gets. */
    private Duration leaderBudget() {
        return settings.deadline().plus(minimumRefreshTime());
    }

    private Duration minimumRefreshTime() {
        return settings.deadline().dividedBy(4);
    }

    private TokenResult acquireAndRefresh(GrantKey key, Need need) {
        long budgetEnd = System.nanoTime() + settings.deadline().toNanos();
        Duration pause = settings.pollStart();
        while (true) {
            GrantLookup lookup = store.find(key);
            Optional<TokenResult> settled = settledWithoutRefresh(lookup, need);
            if (settled.isPresent()) {
                return settled.get();
            }
            OptionalLong fence = lease.tryAcquire(key, owner, settings.leaseTtl());
            if (fence.isPresent()) {
                // A lease taken late in the budget still gets a usable share of time for its call.
                long remaining = Math.max(
                        budgetEnd - System.nanoTime(), minimumRefreshTime().toNanos());
                try {
                    return refreshUnderLease(key, need, Duration.ofNanos(remaining));
                } finally {
                    lease.release(key, owner, fence.getAsLong());
                }
            }
            long remaining = budgetEnd - System.nanoTime();
            if (remaining <= 0) {
                listener.waitExpired(key);
                return lastLook(key, need, null);
            }
            try {
                Thread.sleep(Duration.ofNanos(Math.min(pause.toNanos(), remaining)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new TokenResult.TemporarilyUnavailable(settings.retryAfter());
            }
            pause = pause.multipliedBy(2).compareTo(settings.pollMax()) > 0
                    ? settings.pollMax()
                    : pause.multipliedBy(2);
        }
    }

    private TokenResult refreshUnderLease(GrantKey key, Need need, Duration deadline) {
        GrantLookup lookup = store.find(key);
        Optional<TokenResult> settled = settledWithoutRefresh(lookup, need);
        if (settled.isPresent() || !(lookup instanceof GrantLookup.Found found)) {
            return settled.orElseGet(() -> new TokenResult.AuthorizationRequired("no_grant"));
        }
        VersionedTokenSet grant = found.grant();
        @Nullable Secret refreshToken = grant.tokens().refreshToken();
        if (refreshToken == null) {
            return new TokenResult.AuthorizationRequired("no_refresh_token");
        }
        RefreshOutcome outcome = callWithin(key, grant, refreshToken, deadline);
        return switch (outcome) {
            case RefreshOutcome.Refreshed refreshed -> write(key, grant, refreshed.tokens());
            case RefreshOutcome.Terminal terminal -> endGrant(key, grant, need, terminal.error());
            case RefreshOutcome.Transient failure -> {
                listener.transientFailure(key, failure.reason());
                yield fallback(grant, need, failure.retryAfter());
            }
        };
    }

    /**
     * Runs the endpoint call on its own thread so the caller's wait ends at the deadline even if
     * the call does not; the call is then interrupted (cancelling its socket I/O), and whatever it
     * still answers is written only by compare-and-set on the version read.
     */
    private RefreshOutcome callWithin(GrantKey key, VersionedTokenSet grant, Secret refreshToken, Duration deadline) {
        CompletableFuture<RefreshOutcome> answer = new CompletableFuture<>();
        Thread worker = Thread.ofVirtual().name("latchkey-refresh").start(() -> {
            RefreshOutcome outcome;
            try {
                outcome = endpoint.refresh(key, refreshToken, deadline);
            } catch (RuntimeException e) {
                outcome = new RefreshOutcome.Transient("endpoint_failed", null);
            }
            if (!answer.complete(outcome)) {
                lateAnswer(key, grant, outcome);
            }
        });
        RefreshOutcome timedOut = new RefreshOutcome.Transient("deadline_exceeded", null);
        try {
            return answer.get(deadline.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            if (answer.complete(timedOut)) {
                worker.interrupt();
                return timedOut;
            }
            return answer.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            if (answer.complete(timedOut)) {
                worker.interrupt();
                return timedOut;
            }
            return answer.join();
        } catch (ExecutionException e) {
            throw new IllegalStateException("the refresh answer is never completed exceptionally", e);
        }
    }

    private void lateAnswer(GrantKey key, VersionedTokenSet grant, RefreshOutcome outcome) {
        boolean stored = false;
        try {
            if (outcome instanceof RefreshOutcome.Refreshed refreshed) {
                stored = store.compareAndSet(key, grant.version(), merged(grant, refreshed.tokens()))
                        instanceof StoreResult.Stored;
            }
        } catch (RuntimeException e) {
            stored = false;
        }
        listener.lateAnswer(key, stored);
    }

    private TokenResult write(GrantKey key, VersionedTokenSet grant, TokenSet tokens) {
        StoreResult result = store.compareAndSet(key, grant.version(), merged(grant, tokens));
        return switch (result) {
            case StoreResult.Stored stored -> {
                listener.refreshed(key);
                yield new TokenResult.Fresh(stored.stored());
            }
            case StoreResult.LostRace lost -> {
                listener.lostRace(key);
                yield lost.current() instanceof GrantLookup.Found winner
                        ? new TokenResult.Fresh(winner.grant())
                        : new TokenResult.AuthorizationRequired("no_grant");
            }
        };
    }

    /**
     * RFC 6749 §6: a server that issues no new refresh token leaves the old one valid, and one that
     * names no scope granted the same scope as before.
     */
    private static TokenSet merged(VersionedTokenSet grant, TokenSet answer) {
        TokenSet old = grant.tokens();
        return new TokenSet(
                answer.accessToken(),
                answer.refreshToken() != null ? answer.refreshToken() : old.refreshToken(),
                answer.tokenType(),
                answer.scopes().isEmpty() ? old.scopes() : answer.scopes(),
                answer.expiresAt());
    }

    private TokenResult endGrant(GrantKey key, VersionedTokenSet grant, Need need, String error) {
        listener.terminal(key, error);
        if (store.delete(key, grant.version())) {
            return new TokenResult.AuthorizationRequired(error);
        }
        // Something newer was written meanwhile (a late answer); it may still be usable.
        return settledWithoutRefresh(store.find(key), need)
                .orElseGet(() -> new TokenResult.AuthorizationRequired(error));
    }

    /** After a failed or abandoned wait: one more read, then whatever can still be served. */
    private TokenResult lastLook(GrantKey key, Need need, @Nullable Duration retryAfter) {
        GrantLookup lookup = store.find(key);
        Optional<TokenResult> settled = settledWithoutRefresh(lookup, need);
        if (settled.isPresent()) {
            return settled.get();
        }
        if (lookup instanceof GrantLookup.Found found) {
            return fallback(found.grant(), need, retryAfter);
        }
        return new TokenResult.AuthorizationRequired("no_grant");
    }

    /** A still-stale grant after a failure: its access token while it has not expired. */
    private TokenResult fallback(VersionedTokenSet grant, Need need, @Nullable Duration retryAfter) {
        @Nullable Instant expiresAt = grant.tokens().expiresAt();
        if (need instanceof Stale && (expiresAt == null || clock.instant().isBefore(expiresAt))) {
            return new TokenResult.Fresh(grant);
        }
        return new TokenResult.TemporarilyUnavailable(retryAfter == null ? settings.retryAfter() : retryAfter);
    }

    /** What a read settles without a refresh: no grant, or a grant that already meets the need. */
    private Optional<TokenResult> settledWithoutRefresh(GrantLookup lookup, Need need) {
        return switch (lookup) {
            case GrantLookup.Missing missing -> Optional.of(new TokenResult.AuthorizationRequired("no_grant"));
            case GrantLookup.Unreadable unreadable ->
                Optional.of(new TokenResult.AuthorizationRequired("grant_unreadable"));
            case GrantLookup.Found found ->
                need.refreshes(found.grant(), clock.instant())
                        ? Optional.empty()
                        : Optional.of(new TokenResult.Fresh(found.grant()));
        };
    }

    /** Why a caller wants a refresh, and whether a stored grant still calls for one. */
    private sealed interface Need {
        boolean refreshes(VersionedTokenSet grant, Instant now);

        /** Whether a result another caller's attempt produced also serves this caller. */
        boolean accepts(TokenResult result);
    }

    /** The access token expires within {@code skew}. */
    private record Stale(Duration skew) implements Need {
        @Override
        public boolean refreshes(VersionedTokenSet grant, Instant now) {
            @Nullable Instant expiresAt = grant.tokens().expiresAt();
            return expiresAt != null && !now.isBefore(expiresAt.minus(skew));
        }

        @Override
        public boolean accepts(TokenResult result) {
            return true;
        }
    }

    /** The resource rejected the access token with this SHA-256. */
    private record Rejected(String sha256) implements Need {
        @Override
        public boolean refreshes(VersionedTokenSet grant, Instant now) {
            return grant.tokens().accessToken().sha256().equals(sha256);
        }

        @Override
        public boolean accepts(TokenResult result) {
            return !(result instanceof TokenResult.Fresh fresh
                    && fresh.grant().tokens().accessToken().sha256().equals(sha256));
        }
    }
}
