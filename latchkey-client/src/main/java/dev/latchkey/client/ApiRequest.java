package dev.latchkey.client;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A request to Latchkey that {@link LatchkeyClient#send(ApiRequest)} can send twice: method, a
 * path (with optional query) under the client's base URI, headers, and a body held as bytes so
 * that a fresh body publisher is made for each attempt. The client adds {@code Authorization}
 * and {@code X-Tenant-Id} itself; a request that sets either is refused. Immutable.
 */
public final class ApiRequest {
    private static final Pattern METHOD = Pattern.compile("[A-Z]{1,16}");
    private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
    private static final Set<String> OWNED_BY_CLIENT = Set.of("authorization", "x-tenant-id");

    private final String method;
    private final String path;
    private final Map<String, List<String>> headers;
    private final byte[] body;
    private final @Nullable Duration timeout;

    private ApiRequest(Builder builder) {
        this.method = builder.method;
        this.path = builder.path;
        Map<String, List<String>> copy = new LinkedHashMap<>();
        builder.headers.forEach((name, values) -> copy.put(name, List.copyOf(values)));
        this.headers = Collections.unmodifiableMap(copy);
        this.body = builder.body.clone();
        this.timeout = builder.timeout;
    }

    /** {@code GET path}. */
    public static ApiRequest get(String path) {
        return builder("GET", path).build();
    }

    /** {@code DELETE path}. */
    public static ApiRequest delete(String path) {
        return builder("DELETE", path).build();
    }

    /** {@code POST path} with a UTF-8 text body of the given media type. */
    public static ApiRequest post(String path, String contentType, String body) {
        return builder("POST", path).body(contentType, body).build();
    }

    /**
     * A builder for {@code method path}. The path starts with one {@code /}, is relative to the
     * client's base URI, may carry a query, and must already be percent-encoded (RFC 3986 §3.3).
     */
    public static Builder builder(String method, String path) {
        return new Builder(method, path);
    }

    public String method() {
        return method;
    }

    /** The path and query, relative to the client's base URI. */
    public String path() {
        return path;
    }

    /** The caller's headers, names as given. */
    public Map<String, List<String>> headers() {
        return headers;
    }

    /** A copy of the body; empty when there is none. */
    public byte[] body() {
        return body.clone();
    }

    /** This request's timeout, when it overrides the client's. */
    public Optional<Duration> timeout() {
        return Optional.ofNullable(timeout);
    }

    /** A new publisher of the body, one per attempt. */
    BodyPublisher bodyPublisher() {
        return body.length == 0 ? BodyPublishers.noBody() : BodyPublishers.ofByteArray(body);
    }

    /** Method and path without the query, which may hold values that must not be logged. */
    String describe() {
        int query = path.indexOf('?');
        return method + " " + (query < 0 ? path : path.substring(0, query));
    }

    @Override
    public String toString() {
        return "ApiRequest[" + describe() + "]";
    }

    /** Builds an {@link ApiRequest}; each option is validated when it is set. */
    public static final class Builder {
        private final String method;
        private final String path;
        private final Map<String, List<String>> headers = new LinkedHashMap<>();
        private byte[] body = new byte[0];
        private @Nullable Duration timeout;

        private Builder(String method, String path) {
            Objects.requireNonNull(method, "method");
            Objects.requireNonNull(path, "path");
            if (!METHOD.matcher(method).matches()) {
                throw new IllegalArgumentException("method must be an upper-case HTTP method such as GET or POST");
            }
            this.method = method;
            this.path = checkedPath(path);
        }

        /** Adds a header. {@code Authorization} and {@code X-Tenant-Id} belong to the client. */
        public Builder header(String name, String value) {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(value, "value");
            if (!HEADER_NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("header name must be an RFC 9110 token");
            }
            if (OWNED_BY_CLIENT.contains(name.toLowerCase(Locale.ROOT))) {
                throw new IllegalArgumentException(
                        "header " + name + " is set by LatchkeyClient from its session and tenant");
            }
            if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
                throw new IllegalArgumentException("header " + name + " must not contain CR or LF");
            }
            headers.computeIfAbsent(name, n -> new ArrayList<>()).add(value);
            return this;
        }

        /** Sets the body and its {@code Content-Type}. */
        public Builder body(String contentType, byte[] body) {
            Objects.requireNonNull(body, "body");
            header("Content-Type", contentType);
            this.body = body.clone();
            return this;
        }

        /** Sets a UTF-8 text body and its {@code Content-Type}. */
        public Builder body(String contentType, String body) {
            Objects.requireNonNull(body, "body");
            return body(contentType, body.getBytes(StandardCharsets.UTF_8));
        }

        /** A timeout for this request instead of the client's {@code requestTimeout}. */
        public Builder timeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("timeout must be positive");
            }
            this.timeout = timeout;
            return this;
        }

        public ApiRequest build() {
            return new ApiRequest(this);
        }

        private static String checkedPath(String path) {
            // "//host/..." would read as a network-path reference; the path stays under the base URI.
            if (!path.startsWith("/") || path.startsWith("//")) {
                throw new IllegalArgumentException("path must start with a single '/', relative to the base URI");
            }
            if (path.indexOf('#') >= 0) {
                throw new IllegalArgumentException("path must not carry a fragment");
            }
            try {
                URI parsed = new URI("https://latchkey.invalid" + path);
                if (!"latchkey.invalid".equals(parsed.getHost())) {
                    throw new IllegalArgumentException("path must not name another host");
                }
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("path must be a percent-encoded RFC 3986 path and query", e);
            }
            return path;
        }
    }
}
