package dev.latchkey.core.identity;

import dev.latchkey.core.audit.AuditEvent;
import dev.latchkey.core.audit.AuditLog;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** An {@link AuditLog} that keeps every event, for assertions. */
public final class RecordingAuditLog implements AuditLog {
    private final List<AuditEvent> events = new CopyOnWriteArrayList<>();

    @Override
    public void record(AuditEvent event) {
        events.add(event);
    }

    public List<AuditEvent> events() {
        return List.copyOf(events);
    }

    public List<String> actions() {
        return events.stream()
                .map(event -> event.action() + ":" + event.reason())
                .toList();
    }
}
