package dev.latchkey.client;

import org.jspecify.annotations.Nullable;

/**
 * Every failure the SDK reports. The subtypes are the outcomes a caller handles differently:
 * send the user to sign in again ({@link SessionEndedException}, {@link CodeRejectedException}),
 * through a downstream consent ({@link AuthorizationRequiredException}), ask for more scope
 * ({@link InsufficientScopeException}), try later ({@link TemporarilyUnavailableException},
 * {@link LatchkeyUnreachableException}), or treat as a bug ({@link InvalidTokenException},
 * {@link UnexpectedResponseException}). Messages never contain a token, a refresh token or a
 * code; text quoted from the server is cut to printable ASCII.
 */
public abstract sealed class LatchkeyException extends RuntimeException
        permits AuthorizationRequiredException,
                CodeRejectedException,
                InsufficientScopeException,
                InvalidTokenException,
                LatchkeyUnreachableException,
                SessionEndedException,
                TemporarilyUnavailableException,
                UnexpectedResponseException {
    private static final long serialVersionUID = 1L;
    private static final int MAX_QUOTED = 200;

    LatchkeyException(String message) {
        super(message);
    }

    LatchkeyException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * Server-supplied text made safe for a message: printable ASCII only (no CR/LF or escape
     * sequences to forge log lines, CWE-117) and at most 200 characters.
     */
    static String quoted(@Nullable String text) {
        if (text == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(Math.min(text.length(), MAX_QUOTED));
        for (int i = 0; i < text.length() && out.length() < MAX_QUOTED; i++) {
            char c = text.charAt(i);
            out.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return out.toString();
    }
}
