package dev.latchkey.app.config;

/**
 * Whether a tenant accepts API keys (when off, its API-key endpoints answer {@code 403
 * api_keys_disabled}), and how many wrong keys one client may present per minute before its
 * API-key attempts are refused with {@code 429} until the minute is over.
 *
 * @param enabled whether the tenant's API keys may be created and used
 * @param maxFailuresPerMinute failed API-key attempts allowed per client and minute, 1 to 100000
 */
public record ApiKeysConfig(boolean enabled, int maxFailuresPerMinute) {
    /** The default limit of failed attempts per client and minute. */
    public static final int DEFAULT_MAX_FAILURES_PER_MINUTE = 20;

    static final int MAX_FAILURES_LIMIT = 100_000;

    /** Rejects a limit outside 1-100000. */
    public ApiKeysConfig {
        if (maxFailuresPerMinute < 1 || maxFailuresPerMinute > MAX_FAILURES_LIMIT) {
            throw new IllegalArgumentException("maxFailuresPerMinute must be between 1 and 100000");
        }
    }

    /** With the default limit of failed attempts. */
    public ApiKeysConfig(boolean enabled) {
        this(enabled, DEFAULT_MAX_FAILURES_PER_MINUTE);
    }
}
