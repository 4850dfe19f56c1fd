package dev.latchkey.client;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/** {@link SessionStore#inMemory()}: one session held in an atomic reference. */
final class InMemorySessionStore implements SessionStore {
    private final AtomicReference<@Nullable Session> session = new AtomicReference<>();

    @Override
    public Optional<Session> load() {
        return Optional.ofNullable(session.get());
    }

    @Override
    public void save(Session session) {
        this.session.set(session);
    }

    @Override
    public void clear() {
        session.set(null);
    }

    @Override
    public String toString() {
        return "InMemorySessionStore[" + load().map(Session::toString).orElse("empty") + "]";
    }
}
