package dev.latchkey.core.resource;

import dev.latchkey.core.resource.DiscoveryException.Reason;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Which URLs Latchkey may fetch or send a user to: https always; plain http only on a loopback
 * host ({@code localhost} or a loopback literal) and only with {@code allowInsecureLoopback}, a
 * development flag. No user info, no fragment.
 *
 * <p>With {@code refusePrivateAddresses} (for URLs that users supply, e.g. an MCP server added at
 * run time) the host is also resolved and refused when any of its addresses is loopback, private
 * (RFC 1918), link-local (including cloud metadata at 169.254.169.254), unspecified, multicast,
 * carrier-grade NAT (RFC 6598), {@code 0.0.0.0/8}, or a unique-local IPv6 address ({@code
 * fc00::/7}); IPv4 addresses embedded in IPv6 (mapped, compatible, NAT64, 6to4) are judged as
 * IPv4. Loopback stays allowed when {@code allowInsecureLoopback} is set. This check happens
 * before the fetch, which resolves the name again, so it narrows but cannot close a DNS-rebinding
 * window; an egress proxy or network policy is the complete answer. Immutable and thread-safe.
 */
public final class UrlPolicy {
    /** Resolves a host name to all of its addresses. */
    @FunctionalInterface
    interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    private final boolean allowInsecureLoopback;
    private final boolean refusePrivateAddresses;
    private final Resolver resolver;

    /**
     * @param allowInsecureLoopback whether plain http is allowed on a loopback host (development)
     * @param refusePrivateAddresses whether hosts are resolved and internal addresses refused (the
     *     SSRF guard for user-supplied URLs)
     */
    public UrlPolicy(boolean allowInsecureLoopback, boolean refusePrivateAddresses) {
        this(allowInsecureLoopback, refusePrivateAddresses, InetAddress::getAllByName);
    }

    UrlPolicy(boolean allowInsecureLoopback, boolean refusePrivateAddresses, Resolver resolver) {
        this.allowInsecureLoopback = allowInsecureLoopback;
        this.refusePrivateAddresses = refusePrivateAddresses;
        this.resolver = resolver;
    }

    /** https only, no address check: for URLs an operator configured. */
    public static UrlPolicy httpsOnly() {
        return new UrlPolicy(false, false);
    }

    public boolean allowInsecureLoopback() {
        return allowInsecureLoopback;
    }

    public boolean refusePrivateAddresses() {
        return refusePrivateAddresses;
    }

    /**
     * Returns {@code uri} if it may be fetched, else throws. With {@code refusePrivateAddresses}
     * this resolves the host, so it may block for a DNS lookup.
     *
     * @throws DiscoveryException {@link Reason#INSECURE_URL} for a scheme, host or shape that is not
     *     allowed; {@link Reason#FORBIDDEN_ADDRESS} for an internal address; {@link
     *     Reason#UNREACHABLE} when the host does not resolve (only checked with {@code
     *     refusePrivateAddresses})
     */
    public URI check(URI uri) throws DiscoveryException {
        String scheme = uri.getScheme();
        String host = uri.getHost();
        if (uri.isOpaque()
                || scheme == null
                || host == null
                || host.isEmpty()
                || uri.getRawUserInfo() != null
                || uri.getRawFragment() != null) {
            throw new DiscoveryException(
                    Reason.INSECURE_URL,
                    "a fetched URL must be absolute, with a host, without user info or fragment (" + origin(uri) + ")");
        }
        switch (scheme.toLowerCase(Locale.ROOT)) {
            case "https" -> {}
            case "http" -> {
                if (!allowInsecureLoopback || !isLoopbackLiteral(host)) {
                    throw new DiscoveryException(
                            Reason.INSECURE_URL,
                            origin(uri) + " is not https (plain http only on a loopback host with"
                                    + " allowInsecureLoopback)");
                }
            }
            default -> throw new DiscoveryException(Reason.INSECURE_URL, origin(uri) + " is not https");
        }
        if (refusePrivateAddresses) {
            refuseInternal(uri, host);
        }
        return uri;
    }

    private void refuseInternal(URI uri, String host) throws DiscoveryException {
        String name = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        InetAddress[] addresses;
        try {
            addresses = resolver.resolve(name);
        } catch (UnknownHostException e) {
            throw new DiscoveryException(Reason.UNREACHABLE, "the host of " + origin(uri) + " does not resolve");
        }
        if (addresses.length == 0) {
            throw new DiscoveryException(Reason.UNREACHABLE, "the host of " + origin(uri) + " does not resolve");
        }
        // Every address must pass: the connection may use any of them.
        for (InetAddress address : addresses) {
            if (address.isLoopbackAddress() && allowInsecureLoopback) {
                continue;
            }
            if (isInternal(address)) {
                throw new DiscoveryException(
                        Reason.FORBIDDEN_ADDRESS,
                        "the host of " + origin(uri) + " resolves to a loopback, private or link-local address");
            }
        }
    }

    /** Whether {@code address} is not a public unicast address. */
    static boolean isInternal(InetAddress address) {
        if (address.isLoopbackAddress()
                || address.isAnyLocalAddress()
                || address.isLinkLocalAddress()
                || address.isSiteLocalAddress()
                || address.isMulticastAddress()) {
            return true;
        }
        byte[] bytes = address.getAddress();
        if (address instanceof Inet4Address) {
            return isInternalIpv4(bytes);
        }
        if (address instanceof Inet6Address) {
            // RFC 4193 unique local addresses: fc00::/7.
            if ((bytes[0] & 0xfe) == 0xfc) {
                return true;
            }
            byte[] embedded = embeddedIpv4(bytes);
            if (embedded != null) {
                try {
                    return isInternal(InetAddress.getByAddress(embedded));
                } catch (UnknownHostException e) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean isInternalIpv4(byte[] bytes) {
        int first = bytes[0] & 0xff;
        int second = bytes[1] & 0xff;
        return first == 0 // RFC 1122 "this network"
                || (first == 100 && (second & 0xc0) == 64) // RFC 6598 shared address space
                || (first == 192 && second == 0 && (bytes[2] & 0xff) == 0) // RFC 6890 IETF protocol assignments
                || (first >= 240); // reserved and limited broadcast
    }

    /** The IPv4 address inside a mapped, compatible, NAT64 (RFC 6052) or 6to4 IPv6 address. */
    private static byte @Nullable [] embeddedIpv4(byte[] v6) {
        boolean firstTenZero = Arrays.equals(v6, 0, 10, new byte[10], 0, 10);
        if (firstTenZero && (v6[10] & 0xff) == 0xff && (v6[11] & 0xff) == 0xff) {
            return Arrays.copyOfRange(v6, 12, 16);
        }
        if (firstTenZero && v6[10] == 0 && v6[11] == 0) {
            return Arrays.copyOfRange(v6, 12, 16);
        }
        byte[] nat64 = {0, 0x64, (byte) 0xff, (byte) 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};
        if (Arrays.equals(v6, 0, 12, nat64, 0, 12)) {
            return Arrays.copyOfRange(v6, 12, 16);
        }
        if ((v6[0] & 0xff) == 0x20 && (v6[1] & 0xff) == 0x02) {
            return Arrays.copyOfRange(v6, 2, 6);
        }
        return null;
    }

    // Only literal loopback addresses and "localhost": resolving an arbitrary name here would let
    // DNS decide whether plain http is allowed.
    private static boolean isLoopbackLiteral(String host) {
        if (host.equalsIgnoreCase("localhost")) {
            return true;
        }
        String literal = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (!literal.matches("[0-9.]+|[0-9a-fA-F:.]+")) {
            return false;
        }
        try {
            return InetAddress.getByName(literal).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static String origin(URI uri) {
        return DiscoveryException.origin(uri);
    }

    @Override
    public String toString() {
        return "UrlPolicy[allowInsecureLoopback=" + allowInsecureLoopback + ", refusePrivateAddresses="
                + refusePrivateAddresses + "]";
    }
}
