package dev.latchkey.core.inbound;

import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.JWKSetBasedJWKSource;
import com.nimbusds.jose.jwk.source.JWKSetCacheRefreshEvaluator;
import com.nimbusds.jose.jwk.source.JWKSetSource;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.jwk.source.URLBasedJWKSetSource;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jose.util.ResourceRetriever;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URL;
import java.text.ParseException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * The signing keys of one issuer, from its configured {@code jwksUri} or from OIDC discovery.
 * Thread-safe and single-flight: discovery and the Nimbus source stack are built once, lazily,
 * under a lock; concurrent callers wait for that one attempt. A failed discovery is remembered for
 * one refetch cooldown, so a flood of tokens cannot turn into a flood of discovery requests.
 *
 * <p>Keys come only from the issuer's key set, never from a token header ({@code jwk}, {@code
 * jku}, {@code x5u} and {@code x5c} are not read; RFC 8725 §3.10). The Nimbus stack, innermost
 * first, is: URL fetch → retry once on a transient error → serve stale keys for {@link
 * ValidatorSettings#outageTolerance()} during an outage → at most two fetches per {@link
 * ValidatorSettings#refetchCooldown()} → cache for {@link ValidatorSettings#keyCacheTtl()}. On top,
 * an unknown {@code kid} triggers a fetch only if none happened for a whole cooldown. Time is read
 * from the injected clock, not the system clock.
 */
final class IssuerKeys {
    private static final String DISCOVERY_PATH = "/.well-known/openid-configuration";

    private final String issuer;
    private final IssuerPolicy policy;
    private final Clock clock;
    private final ValidatorSettings settings;
    private final BearerValidator.Listener listener;
    private final ResourceRetriever retriever;

    private final AtomicLong lastFetchMillis = new AtomicLong(Long.MIN_VALUE / 2);
    private volatile @Nullable JWKSetSource<SecurityContext> source;
    private @Nullable KeysUnavailableException lastFailure;
    private Instant retryDiscoveryAt = Instant.MIN;

    IssuerKeys(
            String issuer,
            IssuerPolicy policy,
            Clock clock,
            ValidatorSettings settings,
            BearerValidator.Listener listener) {
        this.issuer = issuer;
        this.policy = policy;
        this.clock = clock;
        this.settings = settings;
        this.listener = listener;
        int timeout = (int) settings.httpTimeout().toMillis();
        this.retriever = new DefaultResourceRetriever(timeout, timeout, settings.maxDocumentBytes());
    }

    /**
     * The keys matching {@code selector}: from the cached set, or, when none match (a rotated-in
     * key, OIDC Core §10.1.1), after a refetch if no fetch happened for a whole refetch cooldown.
     * An empty list means no published key matches.
     *
     * @throws KeysUnavailableException if no key set has ever been obtained, or discovery failed
     */
    List<JWK> select(JWKSelector selector) throws KeysUnavailableException {
        JWKSetSource<SecurityContext> keys = source();
        long now = clock.millis();
        JWKSet cached;
        try {
            cached = keys.getJWKSet(JWKSetCacheRefreshEvaluator.noRefresh(), now, null);
        } catch (KeySourceException e) {
            throw KeysUnavailableException.outage("jwks_unavailable", e);
        }
        List<JWK> matches = selector.select(cached);
        if (!matches.isEmpty() || !claimMissRefetch(now)) {
            return matches;
        }
        try {
            return selector.select(keys.getJWKSet(JWKSetCacheRefreshEvaluator.referenceComparison(cached), now, null));
        } catch (KeySourceException e) {
            // Rate limit reached or the issuer is down while keys are cached: the kid is simply unknown.
            return List.of();
        }
    }

    // Nimbus's rate limiter allows two fetches per window; an unknown kid may cause a fetch only if
    // none happened for a whole cooldown, so a kid flood costs at most one fetch per cooldown.
    private boolean claimMissRefetch(long now) {
        long last = lastFetchMillis.get();
        return now - last >= settings.refetchCooldown().toMillis() && lastFetchMillis.compareAndSet(last, now);
    }

    private JWKSetSource<SecurityContext> source() throws KeysUnavailableException {
        JWKSetSource<SecurityContext> built = source;
        if (built != null) {
            return built;
        }
        synchronized (this) {
            built = source;
            if (built != null) {
                return built;
            }
            KeysUnavailableException failure = lastFailure;
            if (failure != null && clock.instant().isBefore(retryDiscoveryAt)) {
                throw failure;
            }
            try {
                built = build(keyLocation());
                source = built;
                lastFailure = null;
                return built;
            } catch (KeysUnavailableException e) {
                lastFailure = e;
                retryDiscoveryAt = clock.instant().plus(settings.refetchCooldown());
                throw e;
            }
        }
    }

    private URL keyLocation() throws KeysUnavailableException {
        URI configured = policy.jwksUri();
        if (configured != null) {
            return toUrl(configured);
        }
        // OIDC Discovery 1.0 §4: strip one trailing slash, then append the well-known path.
        String base = issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer;
        URI discovery;
        try {
            discovery = URI.create(base + DISCOVERY_PATH);
        } catch (IllegalArgumentException e) {
            throw KeysUnavailableException.refused(Rejection.KEY_LOCATION_REFUSED, e);
        }
        if (!policy.permitsFetchFrom(discovery)) {
            throw KeysUnavailableException.refused(Rejection.KEY_LOCATION_REFUSED, null);
        }
        Map<String, Object> document;
        try {
            document = JSONObjectUtils.parse(
                    retriever.retrieveResource(toUrl(discovery)).getContent());
        } catch (IOException | ParseException e) {
            throw KeysUnavailableException.outage("discovery_unavailable", e);
        }
        // OIDC Discovery 1.0 §4.3: the document must name exactly the issuer it was fetched for.
        if (!(document.get("issuer") instanceof String named) || !named.equals(issuer)) {
            throw KeysUnavailableException.refused(Rejection.DISCOVERY_ISSUER_MISMATCH, null);
        }
        if (!(document.get("jwks_uri") instanceof String jwksUri)) {
            throw KeysUnavailableException.refused(Rejection.KEY_LOCATION_REFUSED, null);
        }
        URI location;
        try {
            location = URI.create(jwksUri);
        } catch (IllegalArgumentException e) {
            throw KeysUnavailableException.refused(Rejection.KEY_LOCATION_REFUSED, e);
        }
        if (!policy.permitsFetchFrom(location)) {
            throw KeysUnavailableException.refused(Rejection.KEY_LOCATION_REFUSED, null);
        }
        return toUrl(location);
    }

    private JWKSetSource<SecurityContext> build(URL location) {
        JWKSetSource<SecurityContext> fetching = new ReportingSource(new URLBasedJWKSetSource<>(location, retriever));
        JWKSource<SecurityContext> stack = JWKSourceBuilder.create(fetching)
                .cache(settings.keyCacheTtl().toMillis(), settings.httpTimeout().toMillis())
                .refreshAheadCache(false)
                .rateLimited(settings.refetchCooldown().toMillis())
                .retrying(true)
                .outageTolerant(settings.outageTolerance().toMillis())
                .build();
        if (!(stack instanceof JWKSetBasedJWKSource<SecurityContext> based)) {
            throw new IllegalStateException("JWKSourceBuilder without failover builds a JWKSetBasedJWKSource");
        }
        return based.getJWKSetSource();
    }

    private URL toUrl(URI uri) throws KeysUnavailableException {
        try {
            return uri.toURL();
        } catch (MalformedURLException | IllegalArgumentException e) {
            throw KeysUnavailableException.refused(Rejection.KEY_LOCATION_REFUSED, e);
        }
    }

    /** Tells the listener about every key-set fetch that actually goes to the network. */
    private final class ReportingSource implements JWKSetSource<SecurityContext> {
        private final JWKSetSource<SecurityContext> delegate;

        ReportingSource(JWKSetSource<SecurityContext> delegate) {
            this.delegate = delegate;
        }

        @Override
        public JWKSet getJWKSet(
                JWKSetCacheRefreshEvaluator refreshEvaluator, long currentTime, @Nullable SecurityContext context)
                throws KeySourceException {
            lastFetchMillis.set(currentTime);
            BearerValidator.notify(() -> listener.jwksFetched(issuer));
            return delegate.getJWKSet(refreshEvaluator, currentTime, context);
        }

        @Override
        public void close() throws IOException {
            delegate.close();
        }
    }

    /**
     * The issuer's keys cannot be had: either an outage (retrying later may help) or a refusal that
     * retrying will not fix (discovery names another issuer, a key URL that is not allowed).
     */
    static final class KeysUnavailableException extends Exception {
        private static final long serialVersionUID = 1L;
        private final String reason;
        private final @Nullable Rejection refusal;

        private KeysUnavailableException(String reason, @Nullable Rejection refusal, @Nullable Throwable cause) {
            super(reason, cause);
            this.reason = reason;
            this.refusal = refusal;
        }

        static KeysUnavailableException outage(String reason, @Nullable Throwable cause) {
            return new KeysUnavailableException(reason, null, cause);
        }

        static KeysUnavailableException refused(Rejection refusal, @Nullable Throwable cause) {
            return new KeysUnavailableException(refusal.code(), refusal, cause);
        }

        String reason() {
            return reason;
        }

        /** The rejection for a misconfiguration, or null for an outage. */
        @Nullable
        Rejection refusal() {
            return refusal;
        }
    }
}
