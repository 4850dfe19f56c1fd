package dev.latchkey.core.inbound;

import java.util.regex.Pattern;

/**
 * Where a request came from, as the server decides it (the socket's peer address, or the address
 * a trusted proxy reports): the unit that failed-attempt limits are counted in. The server may
 * widen it to a network (an IPv6 {@code /64}), since one host commonly holds a whole one. It is
 * no identity: it only keeps one client's failures from locking out the others.
 *
 * @param value an IP literal or network such as {@code 192.0.2.7} or {@code 2001:db8:1:2::/64}:
 *     1 to 64 characters of letters, digits, {@code . : % / [ ] _ -}
 */
public record ClientAddress(String value) {
    private static final Pattern VALID = Pattern.compile("[0-9A-Za-z.:%/\\[\\]_-]{1,64}");

    /** For requests whose origin is not known (e.g. credentials built outside an HTTP request). */
    public static final ClientAddress UNKNOWN = new ClientAddress("unknown");

    /**
     * Validates the value.
     *
     * @throws IllegalArgumentException if it is not 1-64 characters of the allowed set (the value
     *     is not echoed)
     */
    public ClientAddress {
        if (!VALID.matcher(value).matches()) {
            throw new IllegalArgumentException("a client address is 1-64 characters of letters, digits and .:%/[]_-");
        }
    }

    public static ClientAddress of(String value) {
        return new ClientAddress(value);
    }

    @Override
    public String toString() {
        return value;
    }
}
