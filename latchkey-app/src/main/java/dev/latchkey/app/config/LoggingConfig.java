package dev.latchkey.app.config;

/** How much Latchkey logs. */
public record LoggingConfig(Level level) {

    /** The log levels, from most to least verbose. */
    public enum Level {
        TRACE,
        DEBUG,
        INFO,
        WARN,
        ERROR
    }
}
