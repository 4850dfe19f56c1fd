package dev.latchkey.app.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.StackTraceElementProxy;
import ch.qos.logback.core.encoder.EncoderBase;
import java.nio.charset.StandardCharsets;
import java.time.format.DateTimeFormatter;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.slf4j.event.KeyValuePair;

/**
 * Encodes each Logback event as one JSON object on one line: {@code ts} (ISO-8601 UTC), {@code
 * level}, {@code logger}, {@code thread}, {@code msg}, then the MDC entries and the SLF4J key/value
 * pairs as top-level fields, then {@code error} with the exception's class, message, causes and at
 * most {@link #setMaxStackFrames(int) a few} frames.
 *
 * <p>Guarantees: the output of one event never contains a raw line break, whatever the message,
 * keys or values hold (CWE-117); the message, MDC values, key/value values and exception text pass
 * through {@link Redactor} before they are written; no lookup or interpolation is ever performed
 * ({@code ${jndi:...}} stays literal text); long strings are cut to {@link
 * #setMaxFieldLength(int)} characters after redaction, so a cut never reveals part of a secret.
 * A field whose name is already taken (an MDC key {@code level}) is written with an {@code mdc.}
 * or {@code kv.} prefix instead of producing a duplicate key. Thread-safe: {@link #encode} keeps
 * no state between calls.
 */
public final class RedactingJsonEncoder extends EncoderBase<ILoggingEvent> {
    private static final byte[] NOTHING = new byte[0];
    private static final int MAX_CAUSES = 5;
    private static final int PRE_REDACTION_LIMIT = 64 * 1024;
    private static final Set<String> BUILT_IN = Set.of("ts", "level", "logger", "thread", "msg", "error");

    private volatile int maxStackFrames = 10;
    private volatile int maxFieldLength = 8192;

    /** How many stack frames of each exception are written; default 10, 0 for none. */
    public void setMaxStackFrames(int maxStackFrames) {
        if (maxStackFrames < 0) {
            throw new IllegalArgumentException("maxStackFrames must not be negative");
        }
        this.maxStackFrames = maxStackFrames;
    }

    /** How many characters of one string are written before it is cut; default 8192. */
    public void setMaxFieldLength(int maxFieldLength) {
        if (maxFieldLength < 64) {
            throw new IllegalArgumentException("maxFieldLength must be at least 64");
        }
        this.maxFieldLength = maxFieldLength;
    }

    @Override
    public byte[] headerBytes() {
        return NOTHING;
    }

    @Override
    public byte[] footerBytes() {
        return NOTHING;
    }

    @Override
    public byte[] encode(ILoggingEvent event) {
        StringBuilder out = new StringBuilder(256);
        Set<String> names = new HashSet<>(BUILT_IN);
        out.append("{\"ts\":");
        JsonText.appendString(out, DateTimeFormatter.ISO_INSTANT.format(event.getInstant()));
        out.append(",\"level\":");
        JsonText.appendString(out, event.getLevel().toString());
        field(out, "logger", event.getLoggerName());
        field(out, "thread", event.getThreadName());
        field(out, "msg", safe(event.getFormattedMessage()));
        Map<String, String> mdc = event.getMDCPropertyMap();
        if (mdc != null) {
            for (Map.Entry<String, String> entry : mdc.entrySet()) {
                field(out, unique(names, "mdc.", entry.getKey()), safe(entry.getValue()));
            }
        }
        List<KeyValuePair> pairs = event.getKeyValuePairs();
        if (pairs != null) {
            for (KeyValuePair pair : pairs) {
                String name = unique(names, "kv.", String.valueOf(pair.key));
                out.append(',');
                JsonText.appendString(out, name);
                out.append(':');
                appendValue(out, pair.value);
            }
        }
        IThrowableProxy error = event.getThrowableProxy();
        if (error != null) {
            out.append(",\"error\":");
            appendError(out, error);
        }
        out.append("}\n");
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    private void field(StringBuilder out, String name, @Nullable String value) {
        out.append(',');
        JsonText.appendString(out, name);
        out.append(':');
        if (value == null) {
            out.append("null");
        } else {
            JsonText.appendString(out, cut(value));
        }
    }

    private static String unique(Set<String> names, String prefix, String name) {
        String candidate = name;
        while (!names.add(candidate)) {
            candidate = prefix + candidate;
        }
        return candidate;
    }

    private void appendValue(StringBuilder out, @Nullable Object value) {
        if (value == null) {
            out.append("null");
        } else if (value instanceof Boolean
                || value instanceof Integer
                || value instanceof Long
                || value instanceof Short
                || value instanceof Byte) {
            out.append(value);
        } else if (value instanceof Double || value instanceof Float) {
            double number = ((Number) value).doubleValue();
            if (Double.isFinite(number)) {
                out.append(value);
            } else {
                JsonText.appendString(out, value.toString());
            }
        } else {
            JsonText.appendString(out, cut(redact(String.valueOf(value))));
        }
    }

    private void appendError(StringBuilder out, IThrowableProxy error) {
        out.append("{\"class\":");
        JsonText.appendString(out, error.getClassName());
        field(out, "message", safe(error.getMessage()));
        StackTraceElementProxy[] frames = error.getStackTraceElementProxyArray();
        out.append(",\"stack\":[");
        int written = frames == null ? 0 : Math.min(frames.length, maxStackFrames);
        for (int i = 0; i < written; i++) {
            if (i > 0) {
                out.append(',');
            }
            JsonText.appendString(
                    out, cut(redact(frames[i].getStackTraceElement().toString())));
        }
        out.append(']');
        IThrowableProxy cause = error.getCause();
        if (cause != null) {
            out.append(",\"causes\":[");
            for (int depth = 0; cause != null && depth < MAX_CAUSES; depth++, cause = cause.getCause()) {
                if (depth > 0) {
                    out.append(',');
                }
                String message = safe(cause.getMessage());
                JsonText.appendString(
                        out, cut(message == null ? cause.getClassName() : cause.getClassName() + ": " + message));
            }
            out.append(']');
        }
        out.append('}');
    }

    private static @Nullable String safe(@Nullable String text) {
        return text == null ? null : redact(text);
    }

    // Redaction runs before the cut so a cut never leaves half a secret; a pathological string is
    // still trimmed first so that one log call stays cheap whatever a client managed to put in it.
    private static String redact(String text) {
        return Redactor.redact(text.length() > PRE_REDACTION_LIMIT ? text.substring(0, PRE_REDACTION_LIMIT) : text);
    }

    private String cut(String value) {
        int limit = maxFieldLength;
        if (value.length() <= limit) {
            return value;
        }
        int end = Character.isHighSurrogate(value.charAt(limit - 1)) ? limit - 1 : limit;
        return value.substring(0, end) + "...[cut " + (value.length() - end) + " chars]";
    }
}
