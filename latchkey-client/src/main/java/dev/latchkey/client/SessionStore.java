package dev.latchkey.client;

import java.util.Optional;

/**
 * Where a {@link LatchkeyClient} keeps its current session between calls and across restarts
 * (a keychain, an encrypted file, a database row). Latchkey rotates the refresh token on every
 * refresh and treats a second use of a spent one as theft (RFC 9700 §4.14.2), so the client calls
 * {@link #save(Session)} with every rotated session before the call that caused the rotation
 * returns. The client serializes its own calls to {@code save} and {@code clear}; several clients
 * sharing one store see each other's rotations, because a client re-reads the store before it
 * spends a refresh token.
 */
public interface SessionStore {

    /** The stored session, if there is one. */
    Optional<Session> load();

    /** Replaces the stored session. An exception thrown here reaches the caller of the client. */
    void save(Session session);

    /** Forgets the stored session: the server ended it or refused its refresh token. */
    void clear();

    /** A store that keeps the session in memory only (lost when the process ends). Thread-safe. */
    static SessionStore inMemory() {
        return new InMemorySessionStore();
    }
}
