package dev.latchkey.client;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * A client of one Latchkey deployment and tenant, holding one session at a time.
 *
 * <ul>
 *   <li>{@link #exchange(String)} redeems a one-time code for a session.
 *   <li>{@link #send(ApiRequest)} calls Latchkey with the session's bearer, refreshing it first
 *       when it expires within the refresh skew, and, on a {@code 401}, refreshing and retrying
 *       exactly once.
 *   <li>{@link #downstreamToken(String)} fetches a working token for a downstream resource through
 *       the same machinery.
 * </ul>
 *
 * <p>Refresh tokens rotate and are single use; a second use of a spent one makes Latchkey revoke
 * the whole family (RFC 9700 §4.14.2). So concurrent callers holding the same refresh token share
 * one refresh (across every client in the process, keyed by base URI, tenant, user and the
 * token's hash), a refresh first re-reads the session and the {@link SessionStore} in case another
 * caller already rotated it, and the rotated session is saved to the store before any call
 * returns. Expiries are judged against the server's {@code Date}, so a local clock minutes off
 * neither refreshes on every call nor uses expired tokens. Redirects are never followed. A refused
 * or forgotten session surfaces as {@link SessionEndedException} after the store was cleared.
 *
 * <p>Thread-safe. Close it to release the HTTP client it created (a client passed to the builder
 * is left open).
 */
public final class LatchkeyClient implements AutoCloseable {
    private static final String EXCHANGE_PATH = "/v1/sessions/exchange";
    private static final String REFRESH_PATH = "/v1/sessions/refresh";
    private static final String TOKENS_PATH = "/v1/tokens/";

    /** Shared by every client of the process: two clients that hold one refresh token must not both spend it. */
    private static final SingleFlight<RefreshKey, Session> REFRESHES = new SingleFlight<>();

    private final URI baseUri;
    private final String tenant;
    private final @Nullable String origin;
    private final SessionStore store;
    private final Duration refreshSkew;
    private final Clock clock;
    private final HttpClient http;
    private final boolean ownsHttpClient;
    private final Duration requestTimeout;
    private final int maxResponseBytes;

    /** Guards writes of {@link #current} and the store, so that they change together and in order. */
    private final ReentrantLock sessionLock = new ReentrantLock();

    private volatile @Nullable Session current;

    private LatchkeyClient(Builder builder, URI baseUri, String tenant, HttpClient http, boolean ownsHttpClient) {
        this.baseUri = baseUri;
        this.tenant = tenant;
        this.origin = builder.origin;
        this.store = builder.sessionStore;
        this.refreshSkew = builder.refreshSkew;
        this.clock = builder.clock;
        this.http = http;
        this.ownsHttpClient = ownsHttpClient;
        this.requestTimeout = builder.requestTimeout;
        this.maxResponseBytes = builder.maxResponseBytes;
    }

    /** A builder; {@code baseUri} and {@code tenant} are required. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Redeems a one-time code ({@code POST /v1/sessions/exchange}, with the configured panel
     * {@code Origin}) and makes the new session current, saving it to the store before returning.
     * Codes are single use: the call is never retried.
     *
     * <p>Throws {@link CodeRejectedException} when Latchkey refuses the code, {@link
     * LatchkeyUnreachableException} when it cannot be reached, and {@link IllegalStateException}
     * when no origin was configured.
     */
    public Session exchange(String code) {
        Objects.requireNonNull(code, "code");
        if (code.isEmpty()) {
            throw new IllegalArgumentException("code must not be empty");
        }
        String panelOrigin = origin;
        if (panelOrigin == null) {
            throw new IllegalStateException(
                    "exchange needs the panel origin the code was issued for: set LatchkeyClient.Builder.origin(...)");
        }
        HttpRequest request = jsonPost(EXCHANGE_PATH, Map.of("code", code))
                .header("Origin", panelOrigin)
                .build();
        String call = "POST " + EXCHANGE_PATH;
        ApiResponse answer = call(request, call);
        int status = answer.statusCode();
        if (status == 200) {
            Session session = readSession(answer, null, call);
            sessionLock.lock();
            try {
                current = session;
                store.save(session);
            } finally {
                sessionLock.unlock();
            }
            return session;
        }
        @Nullable String error = ErrorResponses.errorCode(answer);
        if (error != null
                && (status == 400 || status == 401)
                && (error.equals("invalid_grant") || error.equals("invalid_request"))) {
            throw new CodeRejectedException(status, error, ErrorResponses.errorDescription(answer));
        }
        if (status == 503) {
            throw ErrorResponses.temporarilyUnavailable(answer, clock.instant());
        }
        throw ErrorResponses.unexpected(answer, call);
    }

    /**
     * Sends {@code request} to Latchkey with {@code Authorization: Bearer} and {@code X-Tenant-Id}.
     * The bearer is refreshed first when it expires within the refresh skew; a {@code 401} that a
     * new bearer may cure ({@code invalid_token}) leads to one refresh and exactly one retry. Any
     * rotated session is saved to the store before this returns.
     *
     * <p>Returns every answer except those the contract types: {@link InvalidTokenException} (401
     * after the retry), {@link AuthorizationRequiredException}, {@link InsufficientScopeException}
     * (403) and {@link TemporarilyUnavailableException} (503). Throws {@link SessionEndedException}
     * when there is no session or its refresh is refused, and {@link LatchkeyUnreachableException}
     * on I/O failure or timeout. Redirects are returned, never followed.
     */
    public ApiResponse send(ApiRequest request) {
        Objects.requireNonNull(request, "request");
        URI target = resolve(request.path());
        Session session = sessionFreshForUse();
        ApiResponse answer = attempt(request, target, session);
        if (answer.statusCode() == 401 && ErrorResponses.renewalMayHelp(answer)) {
            session = refresh(session);
            answer = attempt(request, target, session);
        }
        return ErrorResponses.checked(answer, clock.instant());
    }

    /**
     * A working access token for {@code resource} ({@code GET /v1/tokens/{resource}}, the name
     * percent-encoded as one path segment), through {@link #send(ApiRequest)} and so with its
     * refresh, retry and typed errors. {@link AuthorizationRequiredException} carries the URL to
     * send the user to when Latchkey holds no usable grant.
     */
    public DownstreamToken downstreamToken(String resource) {
        Objects.requireNonNull(resource, "resource");
        ApiRequest request = ApiRequest.builder("GET", TOKENS_PATH + Endpoints.pathSegment(resource))
                .header("Accept", "application/json")
                .build();
        ApiResponse answer = send(request);
        String call = "GET " + TOKENS_PATH + "{resource}";
        if (answer.statusCode() != 200) {
            throw ErrorResponses.unexpected(answer, call);
        }
        try {
            Map<String, Object> body = Json.parseObject(answer.bodyBytes());
            SecretValue accessToken = SecretValue.of(Json.requiredString(body, "access_token"));
            String tokenType = Json.requiredString(body, "token_type");
            @Nullable Instant expiresAt = downstreamExpiry(body, answer);
            Set<String> scopes = new LinkedHashSet<>();
            @Nullable String scope = Json.optionalString(body, "scope");
            if (scope != null) {
                for (String s : scope.split(" ", -1)) {
                    if (!s.isEmpty()) {
                        scopes.add(s);
                    }
                }
            }
            return new DownstreamToken(accessToken, tokenType, expiresAt, Collections.unmodifiableSet(scopes));
        } catch (Json.JsonException | DateTimeException | ArithmeticException e) {
            throw notTheContract(call, e);
        }
    }

    /** The current session, loaded from the store if this client holds none; no network call. */
    public Optional<Session> currentSession() {
        @Nullable Session held = current;
        return held != null ? Optional.of(held) : store.load();
    }

    /** Closes the HTTP client this client created; one passed to the builder is left open. */
    @Override
    public void close() {
        if (ownsHttpClient) {
            http.close();
        }
    }

    @Override
    public String toString() {
        return "LatchkeyClient[baseUri=" + baseUri + ", tenant=" + tenant + "]";
    }

    /** Package-private for tests: true when no refresh is in flight anywhere in the process. */
    static boolean noRefreshInFlight() {
        return REFRESHES.isIdle();
    }

    private Session sessionFreshForUse() {
        Session session = loadSession();
        if (clock.instant().isBefore(session.expiresAt().minus(refreshSkew))) {
            return session;
        }
        return refresh(session);
    }

    private Session loadSession() {
        @Nullable Session held = current;
        if (held != null) {
            return held;
        }
        sessionLock.lock();
        try {
            held = current;
            if (held == null) {
                held = store.load()
                        .orElseThrow(() -> new SessionEndedException(SessionEndedException.Reason.NO_SESSION));
                current = held;
            }
            return held;
        } finally {
            sessionLock.unlock();
        }
    }

    /**
     * A session renewed from {@code stale}. Callers holding the same refresh token share one run;
     * every caller then makes the result its current session (a no-op when the leader was this
     * client), and every caller ends its session when the run found it over.
     */
    private Session refresh(Session stale) {
        RefreshKey key = new RefreshKey(
                baseUri.toString(),
                tenant,
                stale.user().id(),
                stale.refreshToken().sha256());
        Session renewed;
        try {
            renewed = REFRESHES.run(key, () -> refreshAsLeader(stale));
        } catch (SessionEndedException e) {
            endSession(stale);
            throw e;
        }
        adopt(stale, renewed, true);
        return renewed;
    }

    private Session refreshAsLeader(Session stale) {
        // DESIGN.md "re-read the row": a token rotated by a caller that settled before this run
        // began is spent; sending it would trip reuse detection and revoke the family (C4-06).
        @Nullable Session newer = newerThan(stale);
        if (newer != null) {
            return newer;
        }
        Map<String, String> members = new LinkedHashMap<>();
        members.put("refreshToken", stale.refreshToken().reveal());
        members.put("user_id", stale.user().id());
        HttpRequest.Builder request = jsonPost(REFRESH_PATH, members);
        if (origin != null) {
            request.header("Origin", origin);
        }
        String call = "POST " + REFRESH_PATH;
        ApiResponse answer = call(request.build(), call);
        int status = answer.statusCode();
        if (status == 200) {
            Session next = readSession(answer, stale.user().id(), call);
            adopt(stale, next, true);
            return next;
        }
        @Nullable String error = ErrorResponses.errorCode(answer);
        if (status == 404) {
            throw new SessionEndedException(SessionEndedException.Reason.SESSION_GONE);
        }
        if ((status == 400 || status == 401) && "invalid_grant".equals(error)) {
            throw new SessionEndedException(SessionEndedException.Reason.REFRESH_REFUSED);
        }
        if (status == 503) {
            throw ErrorResponses.temporarilyUnavailable(answer, clock.instant());
        }
        throw ErrorResponses.unexpected(answer, call);
    }

    /** A session that replaced {@code stale} in this client or in the store, or null. */
    private @Nullable Session newerThan(Session stale) {
        @Nullable Session held = current;
        if (held != null && !held.refreshToken().equals(stale.refreshToken())) {
            return held;
        }
        Optional<Session> stored = store.load();
        if (stored.isPresent() && !stored.get().refreshToken().equals(stale.refreshToken())) {
            adopt(stale, stored.get(), false);
            return stored.get();
        }
        return null;
    }

    /**
     * Makes {@code next} current (and saves it when {@code persist}) unless something newer than
     * {@code stale} is current already: an answer never overwrites a newer session.
     */
    private void adopt(Session stale, Session next, boolean persist) {
        sessionLock.lock();
        try {
            @Nullable Session held = current;
            if (held != null && !held.refreshToken().equals(stale.refreshToken())) {
                return;
            }
            // Memory first: should the store fail, this process still never reuses the spent token.
            current = next;
            if (persist) {
                store.save(next);
            }
        } finally {
            sessionLock.unlock();
        }
    }

    /** Forgets {@code stale} here and in the store, unless a newer session replaced it. */
    private void endSession(Session stale) {
        sessionLock.lock();
        try {
            @Nullable Session held = current;
            if (held == null || !held.refreshToken().equals(stale.refreshToken())) {
                return;
            }
            current = null;
            Optional<Session> stored = store.load();
            if (stored.isEmpty() || stored.get().refreshToken().equals(stale.refreshToken())) {
                store.clear();
            }
        } finally {
            sessionLock.unlock();
        }
    }

    private ApiResponse attempt(ApiRequest request, URI target, Session session) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(target)
                .timeout(request.timeout().orElse(requestTimeout))
                .method(request.method(), request.bodyPublisher());
        request.headers().forEach((name, values) -> values.forEach(value -> builder.header(name, value)));
        builder.setHeader("Authorization", "Bearer " + session.token().reveal());
        builder.setHeader("X-Tenant-Id", tenant);
        return call(builder.build(), request.describe());
    }

    private HttpRequest.Builder jsonPost(String path, Map<String, String> members) {
        return HttpRequest.newBuilder(resolve(path))
                .timeout(requestTimeout)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .header("X-Tenant-Id", tenant)
                .POST(BodyPublishers.ofString(Json.writeObject(members), StandardCharsets.UTF_8));
    }

    /** One HTTP exchange, the body read whole up to {@code maxResponseBytes}. */
    private ApiResponse call(HttpRequest request, String call) {
        Instant sentAt = clock.instant();
        HttpResponse<InputStream> response;
        try {
            response = http.send(request, BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw new LatchkeyUnreachableException(
                    "could not reach Latchkey for " + call + " (" + e.getClass().getSimpleName() + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LatchkeyUnreachableException("interrupted while waiting for Latchkey's answer to " + call, e);
        }
        byte[] body;
        try (InputStream in = response.body()) {
            body = in.readNBytes(maxResponseBytes + 1);
        } catch (IOException e) {
            throw new LatchkeyUnreachableException(
                    "lost Latchkey's answer to " + call + " (" + e.getClass().getSimpleName() + ")", e);
        }
        if (body.length > maxResponseBytes) {
            throw new UnexpectedResponseException(
                    "Latchkey's answer to " + call + " is larger than " + maxResponseBytes + " bytes",
                    response.statusCode(),
                    null);
        }
        return new ApiResponse(response.statusCode(), response.headers(), body, response.uri(), sentAt);
    }

    /**
     * The documented session shape {@code {token, refreshToken, user, expiresAt}}, for this
     * client's tenant and, on a refresh, for the same user; the expiry moved onto the local clock.
     */
    private Session readSession(ApiResponse answer, @Nullable String expectedUser, String call) {
        Session session;
        try {
            Map<String, Object> body = Json.parseObject(answer.bodyBytes());
            SecretValue token = SecretValue.of(Json.requiredString(body, "token"));
            SecretValue refreshToken = SecretValue.of(Json.requiredString(body, "refreshToken"));
            @Nullable Map<String, Object> user = Json.optionalObject(body, "user");
            if (user == null) {
                throw new Json.JsonException("member user must be an object");
            }
            @Nullable Long expiresAtMillis = Json.optionalInteger(body, "expiresAt");
            if (expiresAtMillis == null) {
                throw new Json.JsonException("member expiresAt must be a number of milliseconds since the epoch");
            }
            SessionUser sessionUser = new SessionUser(
                    Json.requiredString(user, "id"),
                    Json.requiredString(user, "tenant"),
                    Json.stringList(user, "groups"),
                    Json.stringList(user, "roles"));
            @Nullable String email = Json.optionalString(user, "email");
            if (email != null) {
                sessionUser = sessionUser.withEmail(email);
            }
            Instant expiresAt =
                    ServerTime.toLocal(Instant.ofEpochMilli(expiresAtMillis), answer.headers(), answer.sentAt());
            session = new Session(token, refreshToken, sessionUser, expiresAt);
        } catch (Json.JsonException | DateTimeException | ArithmeticException e) {
            throw notTheContract(call, e);
        }
        if (!session.user().tenant().equals(tenant)) {
            throw new UnexpectedResponseException(
                    "Latchkey's answer to " + call + " is a session of another tenant", answer.statusCode(), null);
        }
        if (expectedUser != null && !session.user().id().equals(expectedUser)) {
            throw new UnexpectedResponseException(
                    "Latchkey's answer to " + call + " is a session of another user", answer.statusCode(), null);
        }
        return session;
    }

    /** {@code expires_at} (ISO-8601 instant, or epoch seconds) against the server's Date, else {@code expires_in}. */
    private static @Nullable Instant downstreamExpiry(Map<String, Object> body, ApiResponse answer) {
        Object expiresAt = body.get("expires_at");
        if (expiresAt instanceof String text) {
            return ServerTime.toLocal(Instant.parse(text), answer.headers(), answer.sentAt());
        }
        if (expiresAt != null && !Json.isNull(expiresAt)) {
            @Nullable Long seconds = Json.optionalInteger(body, "expires_at");
            return seconds == null
                    ? null
                    : ServerTime.toLocal(Instant.ofEpochSecond(seconds), answer.headers(), answer.sentAt());
        }
        @Nullable Long expiresIn = Json.optionalInteger(body, "expires_in");
        return expiresIn == null ? null : answer.sentAt().plusSeconds(expiresIn);
    }

    private static UnexpectedResponseException notTheContract(String call, RuntimeException e) {
        String detail = e instanceof Json.JsonException ? ": " + e.getMessage() : "";
        return new UnexpectedResponseException(
                "Latchkey's answer to " + call + " is not the documented JSON" + detail, 200, null);
    }

    private URI resolve(String pathAndQuery) {
        URI target = URI.create(baseUri + pathAndQuery);
        // Credentials leave only for the configured origin (RFC 9700 §4.12).
        if (!Objects.equals(target.getScheme(), baseUri.getScheme())
                || !Objects.equals(target.getRawAuthority(), baseUri.getRawAuthority())) {
            throw new IllegalArgumentException("request path must stay under the base URI");
        }
        return target;
    }

    private record RefreshKey(String baseUri, String tenant, String userId, String refreshTokenSha256) {}

    /**
     * Builds a {@link LatchkeyClient}. {@link #build()} validates every option and names the one
     * that is wrong. Transport security has no off switch: {@code https} with the JDK's certificate
     * and host name checks, or plain {@code http} to a loopback address only through the option
     * named {@link #allowInsecureHttpForLoopback()}.
     */
    public static final class Builder {
        private static final int DEFAULT_MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

        private @Nullable URI baseUri;
        private @Nullable String tenant;
        private @Nullable String origin;
        private SessionStore sessionStore = SessionStore.inMemory();
        private Duration refreshSkew = Duration.ofSeconds(30);
        private Clock clock = Clock.systemUTC();
        private @Nullable HttpClient httpClient;
        private Duration requestTimeout = Duration.ofSeconds(30);
        private int maxResponseBytes = DEFAULT_MAX_RESPONSE_BYTES;
        private boolean allowInsecureHttpForLoopback;

        private Builder() {}

        /** Latchkey's base URI, e.g. {@code https://latchkey.example.com}; may carry a path prefix. */
        public Builder baseUri(URI baseUri) {
            this.baseUri = Objects.requireNonNull(baseUri, "baseUri");
            return this;
        }

        /** Latchkey's base URI as a string. */
        public Builder baseUri(String baseUri) {
            Objects.requireNonNull(baseUri, "baseUri");
            try {
                return baseUri(URI.create(baseUri));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("baseUri is not a valid URI", e);
            }
        }

        /** The tenant, sent as {@code X-Tenant-Id}. */
        public Builder tenant(String tenant) {
            this.tenant = Endpoints.tenant(Objects.requireNonNull(tenant, "tenant"));
            return this;
        }

        /**
         * The panel's origin, e.g. {@code https://admin.example.com}, sent as {@code Origin} on
         * exchange and refresh; required by {@link LatchkeyClient#exchange(String)}, because a code
         * is bound to the origin it was issued for.
         */
        public Builder origin(String origin) {
            this.origin = Endpoints.origin(Objects.requireNonNull(origin, "origin"));
            return this;
        }

        /** Where sessions are kept; in memory by default. */
        public Builder sessionStore(SessionStore sessionStore) {
            this.sessionStore = Objects.requireNonNull(sessionStore, "sessionStore");
            return this;
        }

        /** How long before its expiry a bearer is refreshed ahead of use; 30 seconds by default. */
        public Builder refreshSkew(Duration refreshSkew) {
            Objects.requireNonNull(refreshSkew, "refreshSkew");
            if (refreshSkew.isNegative() || refreshSkew.compareTo(Duration.ofHours(1)) > 0) {
                throw new IllegalArgumentException("refreshSkew must be between 0 and 1 hour");
            }
            this.refreshSkew = refreshSkew;
            return this;
        }

        /** The local clock; the system UTC clock by default. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * The HTTP client to use instead of one the builder makes. It must not follow redirects
         * ({@link HttpClient.Redirect#NEVER}): a followed redirect would carry the bearer or the
         * refresh token to wherever it points. Its TLS settings are the caller's responsibility.
         */
        public Builder httpClient(HttpClient httpClient) {
            this.httpClient = Objects.requireNonNull(httpClient, "httpClient");
            return this;
        }

        /** The timeout of each HTTP exchange; 30 seconds by default. */
        public Builder requestTimeout(Duration requestTimeout) {
            Objects.requireNonNull(requestTimeout, "requestTimeout");
            if (requestTimeout.isNegative() || requestTimeout.isZero()) {
                throw new IllegalArgumentException("requestTimeout must be positive");
            }
            this.requestTimeout = requestTimeout;
            return this;
        }

        /** The largest answer body read; 4 MiB by default. */
        public Builder maxResponseBytes(int maxResponseBytes) {
            if (maxResponseBytes < 1024 || maxResponseBytes == Integer.MAX_VALUE) {
                throw new IllegalArgumentException("maxResponseBytes must be at least 1024");
            }
            this.maxResponseBytes = maxResponseBytes;
            return this;
        }

        /**
         * Development only: accept an {@code http} base URI when its host is {@code localhost}, in
         * {@code 127.0.0.0/8} or {@code [::1]}. Any other host still needs {@code https}.
         */
        public Builder allowInsecureHttpForLoopback() {
            this.allowInsecureHttpForLoopback = true;
            return this;
        }

        public LatchkeyClient build() {
            if (baseUri == null) {
                throw new IllegalArgumentException("baseUri is required");
            }
            if (tenant == null) {
                throw new IllegalArgumentException("tenant is required");
            }
            URI base = Endpoints.baseUri(baseUri, allowInsecureHttpForLoopback);
            @Nullable HttpClient supplied = httpClient;
            if (supplied != null) {
                if (supplied.followRedirects() != HttpClient.Redirect.NEVER) {
                    throw new IllegalArgumentException("httpClient must use HttpClient.Redirect.NEVER: a followed"
                            + " redirect would carry the bearer or refresh token to wherever it points");
                }
                return new LatchkeyClient(this, base, tenant, supplied, false);
            }
            HttpClient created = HttpClient.newBuilder()
                    .followRedirects(HttpClient.Redirect.NEVER)
                    .connectTimeout(requestTimeout)
                    .build();
            return new LatchkeyClient(this, base, tenant, created, true);
        }
    }
}
