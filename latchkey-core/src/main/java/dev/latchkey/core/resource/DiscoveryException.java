package dev.latchkey.core.resource;

import java.net.URI;
import org.jspecify.annotations.Nullable;

/**
 * Discovery could not produce usable metadata. The {@link #reason()} is a short machine-readable
 * code; the message is for operators and never holds a response body, a header value or a URL's
 * path or query (which may carry credentials): URLs appear only as their origin.
 */
public final class DiscoveryException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Why discovery failed. Only {@link #UNREACHABLE} may succeed when tried again later. */
    public enum Reason {
        /** A URL is not https (or http on loopback with the development flag), or is malformed. */
        INSECURE_URL("insecure_url"),
        /** A URL's host resolves to a loopback, private, link-local or otherwise internal address. */
        FORBIDDEN_ADDRESS("forbidden_address"),
        /** Connection failed, timed out, the host did not resolve, or the server answered 429 or 5xx. */
        UNREACHABLE("unreachable"),
        /** No well-known location answered with a metadata document. */
        METADATA_NOT_FOUND("metadata_not_found"),
        /** A document is too large, not JSON, or lacks or mistypes a required member. */
        BAD_METADATA("bad_metadata"),
        /** The authorization server metadata names another issuer (RFC 8414 §3.3). */
        ISSUER_MISMATCH("issuer_mismatch"),
        /** The protected-resource metadata names another resource (RFC 9728 §3.3). */
        RESOURCE_MISMATCH("resource_mismatch"),
        /** The protected-resource metadata names no authorization server. */
        NO_AUTHORIZATION_SERVER("no_authorization_server");

        private final String code;

        Reason(String code) {
            this.code = code;
        }

        /** The snake_case code, e.g. {@code issuer_mismatch}. */
        public String code() {
            return code;
        }

        /** Whether trying again later may succeed (an outage rather than a misconfiguration). */
        public boolean isTransient() {
            return this == UNREACHABLE;
        }
    }

    private final Reason reason;
    private final String detail;

    DiscoveryException(Reason reason, String message) {
        this(reason, message, null);
    }

    DiscoveryException(Reason reason, String message, @Nullable Throwable cause) {
        super(reason.code() + ": " + message, cause);
        this.reason = reason;
        this.detail = message;
    }

    /** The same reason, with {@code context} (e.g. which metadata member) before the detail. */
    DiscoveryException within(String context) {
        return new DiscoveryException(reason, context + ": " + detail, getCause());
    }

    public Reason reason() {
        return reason;
    }

    /** {@code scheme://host[:port]} of {@code uri}: enough to locate a problem, nothing secret. */
    static String origin(URI uri) {
        String scheme = uri.getScheme() == null ? "?" : uri.getScheme();
        String host = uri.getHost() == null ? "?" : uri.getHost();
        return uri.getPort() < 0 ? scheme + "://" + host : scheme + "://" + host + ":" + uri.getPort();
    }
}
