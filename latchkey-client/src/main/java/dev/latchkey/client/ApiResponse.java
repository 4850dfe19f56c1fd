package dev.latchkey.client;

import java.net.URI;
import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * Latchkey's answer to an {@link ApiRequest}: status, headers and the whole body (bounded by the
 * client's {@code maxResponseBytes}). Redirects are returned as they are, never followed.
 * Immutable; {@link #toString()} shows neither body nor query.
 */
public final class ApiResponse {
    private final int statusCode;
    private final HttpHeaders headers;
    private final byte[] body;
    private final URI uri;
    private final Instant sentAt;

    ApiResponse(int statusCode, HttpHeaders headers, byte[] body, URI uri, Instant sentAt) {
        this.statusCode = statusCode;
        this.headers = headers;
        this.body = body;
        this.uri = uri;
        this.sentAt = sentAt;
    }

    public int statusCode() {
        return statusCode;
    }

    public HttpHeaders headers() {
        return headers;
    }

    /** A copy of the body. */
    public byte[] body() {
        return body.clone();
    }

    /** The body decoded as UTF-8. */
    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }

    /** The URI the request was sent to. */
    public URI uri() {
        return uri;
    }

    byte[] bodyBytes() {
        return body;
    }

    /** The local time the request was sent: the anchor for server-relative expiries. */
    Instant sentAt() {
        return sentAt;
    }

    @Override
    public String toString() {
        return "ApiResponse[status=" + statusCode + ", path=" + uri.getRawPath() + "]";
    }
}
