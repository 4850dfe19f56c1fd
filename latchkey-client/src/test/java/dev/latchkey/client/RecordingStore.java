package dev.latchkey.client;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/** A {@link SessionStore} that remembers what it was told, in order. */
final class RecordingStore implements SessionStore {
    private @Nullable Session session;
    private final List<String> events = new ArrayList<>();

    synchronized void preload(Session session) {
        this.session = session;
    }

    @Override
    public synchronized Optional<Session> load() {
        return Optional.ofNullable(session);
    }

    @Override
    public synchronized void save(Session session) {
        this.session = session;
        events.add("save " + session.refreshToken().reveal());
    }

    @Override
    public synchronized void clear() {
        this.session = null;
        events.add("clear");
    }

    synchronized List<String> events() {
        return List.copyOf(events);
    }

    /** The refresh token stored now, or null. */
    synchronized @Nullable String refreshToken() {
        return session == null ? null : session.refreshToken().reveal();
    }
}
