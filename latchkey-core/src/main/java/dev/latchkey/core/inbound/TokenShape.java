package dev.latchkey.core.inbound;

import java.util.Optional;

/**
 * Checks on the raw compact serialisation made before any decoding, hashing or JSON parsing, so
 * that oversized, encrypted or garbled input costs nothing (RFC 8725 §3.2, CVE-2025-53864).
 */
final class TokenShape {

    /** The largest token accepted, in characters; real access tokens stay well below 4 KiB. */
    static final int MAX_LENGTH = 8 * 1024;

    private TokenShape() {}

    /**
     * The rejection for {@code token}'s shape, or empty if it has three segments, a non-empty
     * header and payload, at most {@link #MAX_LENGTH} characters and only base64url characters.
     * An empty signature segment passes here, so that {@code alg: none} is reported as such.
     */
    static Optional<Rejection> reject(String token) {
        if (token.length() > MAX_LENGTH) {
            return Optional.of(Rejection.TOO_LARGE);
        }
        int dots = 0;
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (c == '.') {
                dots++;
            } else if (!isBase64Url(c)) {
                return Optional.of(Rejection.MALFORMED);
            }
        }
        if (dots == 4) {
            // RFC 7516 §7.1: five segments is a JWE; never decrypted here (CVE-2023-52428, CVE-2024-33664).
            return Optional.of(Rejection.JWE_NOT_ACCEPTED);
        }
        if (dots != 2) {
            return Optional.of(Rejection.MALFORMED);
        }
        int first = token.indexOf('.');
        int second = token.indexOf('.', first + 1);
        if (first == 0 || second == first + 1) {
            return Optional.of(Rejection.MALFORMED);
        }
        return Optional.empty();
    }

    /**
     * Whether {@code token} is an opaque token: an RFC 6750 §2.1 {@code b64token} of at most {@link
     * #MAX_LENGTH} characters that is shaped neither as a JWS nor as a JWE compact serialisation.
     * Only such a token may be sent to an introspection endpoint; anything shaped like a JWT is
     * judged as one, so that a forged JWT can never be "rescued" by introspection.
     */
    static boolean isOpaque(String token) {
        if (token.isEmpty() || token.length() > MAX_LENGTH) {
            return false;
        }
        int end = token.length();
        while (end > 0 && token.charAt(end - 1) == '=') {
            end--;
        }
        if (end == 0) {
            return false;
        }
        for (int i = 0; i < end; i++) {
            char c = token.charAt(i);
            if (!isBase64Url(c) && c != '.' && c != '~' && c != '+' && c != '/') {
                return false;
            }
        }
        return reject(token).filter(Rejection.MALFORMED::equals).isPresent();
    }

    /** Whether the signature segment (after the second dot) is empty, as in {@code h.p.}. */
    static boolean hasEmptySignature(String token) {
        return token.endsWith(".");
    }

    private static boolean isBase64Url(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    }
}
