package dev.latchkey.core.inbound;

import java.time.Duration;

/**
 * Tuning of a {@link BearerValidator}: how issuer keys are cached and refetched, and how many
 * validated tokens are remembered. Validated at construction so that an impossible combination
 * (a refetch cooldown longer than the cache lifetime, an outage allowance shorter than it) fails
 * at start-up, naming the option.
 *
 * @param keyCacheTtl how long fetched keys are used before they are fetched again
 * @param refetchCooldown an unknown {@code kid} causes a key fetch only if none happened for this
 *     long, so a flood of unknown kids costs at most one fetch per cooldown
 * @param outageTolerance how long stale keys keep being served while the issuer is unreachable
 * @param httpTimeout connect and read timeout of discovery and key fetches
 * @param maxDocumentBytes the largest discovery or key document read
 * @param tokenCacheSize the most validated tokens remembered at once
 * @param tokenCacheTtl the longest a validated token is remembered (never beyond its {@code exp})
 */
public record ValidatorSettings(
        Duration keyCacheTtl,
        Duration refetchCooldown,
        Duration outageTolerance,
        Duration httpTimeout,
        int maxDocumentBytes,
        long tokenCacheSize,
        Duration tokenCacheTtl) {

    /**
     * Validates the settings.
     *
     * @throws IllegalArgumentException naming the option that breaks a rule
     */
    public ValidatorSettings {
        requirePositive("keyCacheTtl", keyCacheTtl);
        requirePositive("refetchCooldown", refetchCooldown);
        requirePositive("outageTolerance", outageTolerance);
        requirePositive("httpTimeout", httpTimeout);
        requirePositive("tokenCacheTtl", tokenCacheTtl);
        if (refetchCooldown.compareTo(keyCacheTtl) >= 0) {
            throw new IllegalArgumentException("refetchCooldown must be shorter than keyCacheTtl");
        }
        if (outageTolerance.compareTo(keyCacheTtl) <= 0) {
            throw new IllegalArgumentException("outageTolerance must be longer than keyCacheTtl");
        }
        if (httpTimeout.toMillis() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("httpTimeout is too long");
        }
        if (maxDocumentBytes < 1024) {
            throw new IllegalArgumentException("maxDocumentBytes must be at least 1024");
        }
        if (tokenCacheSize < 0) {
            throw new IllegalArgumentException("tokenCacheSize must not be negative");
        }
    }

    /** Keys cached 5 min, one refetch per 30 s, stale keys for up to 1 h, 10 000 cached tokens. */
    public static ValidatorSettings defaults() {
        return new ValidatorSettings(
                Duration.ofMinutes(5),
                Duration.ofSeconds(30),
                Duration.ofHours(1),
                Duration.ofSeconds(5),
                256 * 1024,
                10_000,
                Duration.ofMinutes(5));
    }

    private static void requirePositive(String option, Duration value) {
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(option + " must be positive");
        }
    }
}
