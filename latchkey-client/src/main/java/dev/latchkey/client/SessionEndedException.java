package dev.latchkey.client;

/**
 * The session is over: there is none, the server no longer knows it ({@code 404}), or it refused
 * the refresh token ({@code invalid_grant}: expired, revoked, or its family revoked after a
 * reuse). The client has already cleared its {@link SessionStore}; the user must sign in again.
 */
public final class SessionEndedException extends LatchkeyException {
    private static final long serialVersionUID = 1L;
    private final Reason reason;

    /** Why the session ended. */
    public enum Reason {
        /** The store held no session (never signed in, or ended earlier). */
        NO_SESSION,
        /** The refresh endpoint answered {@code 404}: the server no longer knows the session. */
        SESSION_GONE,
        /** The refresh endpoint answered {@code invalid_grant}. */
        REFRESH_REFUSED
    }

    SessionEndedException(Reason reason) {
        super(
                switch (reason) {
                    case NO_SESSION -> "no Latchkey session: sign in first";
                    case SESSION_GONE -> "the Latchkey session ended: the server no longer knows it (404)";
                    case REFRESH_REFUSED ->
                        "the Latchkey session ended: the server refused its refresh token (invalid_grant)";
                });
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
