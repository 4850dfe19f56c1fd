package dev.latchkey.core.inbound;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The checks on a signed token's header type and payload claims, made after the signature is
 * verified, on the raw JSON values, so that a string or fractional {@code exp} is refused rather
 * than coerced.
 */
final class ClaimRules {
    /** OIDC Core §2: {@code sub} is at most 255 ASCII characters. */
    private static final int MAX_SUBJECT_LENGTH = 255;

    private ClaimRules() {}

    /**
     * The rejection of {@code typ} under {@code policy}: when a type is required, it must match
     * case-insensitively, with or without the {@code application/} prefix (RFC 7515 §4.1.9,
     * RFC 9068 §2.1, RFC 8725 §3.11).
     */
    static Optional<Rejection> checkType(@Nullable String typ, IssuerPolicy policy) {
        String required = policy.requiredType();
        if (required == null) {
            return Optional.empty();
        }
        if (typ == null || !withoutMediaPrefix(typ).equals(withoutMediaPrefix(required))) {
            return Optional.of(Rejection.WRONG_TYPE);
        }
        return Optional.empty();
    }

    /** Whether a {@code cty} header announces a nested JWT (RFC 7519 §5.2). */
    static boolean isNestedToken(@Nullable String cty) {
        return cty != null && withoutMediaPrefix(cty).equals("jwt");
    }

    /**
     * The rejection of {@code claims} under {@code policy} at {@code now}: audience, lifetime with
     * the policy's skew, and subject.
     */
    static Optional<Rejection> check(Map<String, Object> claims, IssuerPolicy policy, Instant now) {
        return check(claims, policy, now, true);
    }

    /**
     * The rejection of an active RFC 7662 introspection answer under {@code policy} at {@code
     * now}: the checks of {@link #check}, except that {@code exp} may be absent (RFC 7662 §2.2 makes
     * it optional; the endpoint vouched for the token just now). An {@code exp}, {@code nbf} or
     * {@code iat} that is present is checked as in a JWT.
     */
    static Optional<Rejection> checkIntrospected(Map<String, Object> claims, IssuerPolicy policy, Instant now) {
        return check(claims, policy, now, false);
    }

    private static Optional<Rejection> check(
            Map<String, Object> claims, IssuerPolicy policy, Instant now, boolean expiryRequired) {
        long skew = policy.clockSkew().toSeconds();
        long nowSeconds = now.getEpochSecond();
        Object exp = claims.get("exp");
        if (exp == null && expiryRequired) {
            return Optional.of(Rejection.MISSING_EXPIRY);
        }
        Long expiry = exp == null ? Long.valueOf(Long.MAX_VALUE) : numericDate(exp);
        Object nbf = claims.get("nbf");
        Object iat = claims.get("iat");
        Long notBefore = nbf == null ? Long.valueOf(Long.MIN_VALUE) : numericDate(nbf);
        Long issuedAt = iat == null ? Long.valueOf(Long.MIN_VALUE) : numericDate(iat);
        if (expiry == null || notBefore == null || issuedAt == null) {
            return Optional.of(Rejection.MALFORMED_CLAIMS);
        }
        // RFC 7519 §4.1.4-4.1.6 with leeway; written so that no addition can overflow.
        if (expiry < nowSeconds - skew) {
            return Optional.of(Rejection.EXPIRED);
        }
        if (notBefore > nowSeconds + skew) {
            return Optional.of(Rejection.NOT_YET_VALID);
        }
        if (issuedAt > nowSeconds + skew) {
            return Optional.of(Rejection.ISSUED_IN_FUTURE);
        }
        if (!(claims.get("sub") instanceof String subject) || !isValidSubject(subject)) {
            return Optional.of(Rejection.INVALID_SUBJECT);
        }
        Optional<List<String>> audiences = strings(claims.get("aud"));
        if (audiences.isEmpty()) {
            return Optional.of(Rejection.AUDIENCE_MISMATCH);
        }
        if (audiences.get().stream().noneMatch(policy.audiences()::contains)) {
            return Optional.of(Rejection.AUDIENCE_MISMATCH);
        }
        return Optional.empty();
    }

    /** The {@code exp} of claims that passed {@link #check}. */
    static Instant expiry(Map<String, Object> claims) {
        Long seconds = numericDate(claims.getOrDefault("exp", 0L));
        long bounded = Math.min(seconds == null ? 0L : seconds, Instant.MAX.getEpochSecond());
        return Instant.ofEpochSecond(bounded);
    }

    /** The audiences of claims that passed {@link #check}. */
    static List<String> audiences(Map<String, Object> claims) {
        return strings(claims.get("aud")).orElse(List.of());
    }

    /**
     * The scopes: {@code scope} as a space-delimited string (RFC 9068 §2.2.3), or Entra's {@code
     * scp} as a string or an array. Each is an exact token; non-string entries grant nothing.
     */
    static Set<String> scopes(Map<String, Object> claims) {
        Set<String> scopes = new LinkedHashSet<>();
        addTokens(scopes, claims.get("scope"));
        addTokens(scopes, claims.get("scp"));
        return scopes;
    }

    /** The {@code roles} claim (Entra app roles), as a string or an array. */
    static Set<String> roles(Map<String, Object> claims) {
        Set<String> roles = new LinkedHashSet<>();
        addTokens(roles, claims.get("roles"));
        return roles;
    }

    /** A deep, unmodifiable copy of parsed JSON claims. */
    static Map<String, Object> immutable(Map<String, Object> claims) {
        Map<String, Object> copy = new LinkedHashMap<>();
        claims.forEach((name, value) -> copy.put(name, immutableValue(value)));
        return Collections.unmodifiableMap(copy);
    }

    @SuppressWarnings("unchecked")
    private static @Nullable Object immutableValue(@Nullable Object value) {
        if (value instanceof Map<?, ?> map) {
            return immutable((Map<String, Object>) map);
        }
        if (value instanceof List<?> list) {
            List<@Nullable Object> copy = new ArrayList<>(list.size());
            list.forEach(item -> copy.add(immutableValue(item)));
            return Collections.unmodifiableList(copy);
        }
        return value;
    }

    // RFC 7519 §2 NumericDate; only integral JSON numbers are accepted (the parser yields Long).
    private static @Nullable Long numericDate(Object value) {
        if (value instanceof Long seconds) {
            return seconds;
        }
        if (value instanceof Integer seconds) {
            return seconds.longValue();
        }
        return null;
    }

    private static boolean isValidSubject(String subject) {
        if (subject.isEmpty() || subject.length() > MAX_SUBJECT_LENGTH) {
            return false;
        }
        return subject.chars().allMatch(c -> c >= 0x20 && c < 0x7f);
    }

    private static Optional<List<String>> strings(@Nullable Object value) {
        if (value instanceof String single) {
            return Optional.of(List.of(single));
        }
        if (value instanceof List<?> list) {
            List<String> values = new ArrayList<>(list.size());
            for (Object item : list) {
                if (!(item instanceof String string)) {
                    return Optional.empty();
                }
                values.add(string);
            }
            return Optional.of(values);
        }
        return Optional.empty();
    }

    private static void addTokens(Set<String> into, @Nullable Object value) {
        if (value instanceof String delimited) {
            // RFC 6749 §3.3: scope tokens are separated by single spaces; empty tokens grant nothing.
            int start = 0;
            while (start <= delimited.length()) {
                int end = delimited.indexOf(' ', start);
                String token = delimited.substring(start, end < 0 ? delimited.length() : end);
                if (!token.isEmpty()) {
                    into.add(token);
                }
                if (end < 0) {
                    break;
                }
                start = end + 1;
            }
        } else if (value instanceof List<?> list) {
            for (Object item : list) {
                if (item instanceof String token && !token.isEmpty()) {
                    into.add(token);
                }
            }
        }
    }

    private static String withoutMediaPrefix(String type) {
        String lower = type.toLowerCase(Locale.ROOT);
        return lower.startsWith("application/") ? lower.substring("application/".length()) : lower;
    }
}
