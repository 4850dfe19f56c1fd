package dev.latchkey.server;

import dev.latchkey.core.inbound.ClientAddress;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.StringJoiner;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Decides which client a request comes from, once, and keeps it as a request attribute for the
 * failed-attempt limits ({@link ClientAddress}). By default it is the socket's peer address: a
 * header is the caller's word and proves nothing. With {@code trustForwardedFor} (Latchkey behind
 * exactly one reverse proxy that every request passes), it is the <em>last</em> address in the
 * last {@code X-Forwarded-For} header: the one that proxy saw, whether it replaces the header
 * ({@code proxy_set_header X-Forwarded-For $remote_addr}) or appends to it ({@code
 * $proxy_add_x_forwarded_for}); entries to its left come from the client and are ignored, so a
 * client cannot pick its own bucket. A missing or unparseable header falls back to the socket.
 *
 * <p>IPv6 clients are counted per {@code /64}: one host is commonly given a whole {@code /64} and
 * could otherwise rotate addresses inside it. IPv4-mapped addresses count as their IPv4 address.
 */
final class ClientAddressFilter implements Filter {
    static final String FORWARDED_FOR = "X-Forwarded-For";
    private static final String ATTRIBUTE = ClientAddressFilter.class.getName();
    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f.:]{2,45}");
    private static final int IPV6_NETWORK_BYTES = 8;

    private final boolean trustForwardedFor;

    ClientAddressFilter(boolean trustForwardedFor) {
        this.trustForwardedFor = trustForwardedFor;
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        request.setAttribute(ATTRIBUTE, clientOf((HttpServletRequest) request, trustForwardedFor));
        chain.doFilter(request, response);
    }

    /** The client this filter decided on, or the socket's peer if the request bypassed it. */
    static ClientAddress of(HttpServletRequest request) {
        return request.getAttribute(ATTRIBUTE) instanceof ClientAddress client ? client : clientOf(request, false);
    }

    static ClientAddress clientOf(HttpServletRequest request, boolean trustForwardedFor) {
        if (trustForwardedFor) {
            Optional<ClientAddress> forwarded = lastForwardedFor(request);
            if (forwarded.isPresent()) {
                return forwarded.get();
            }
        }
        return normalise(request.getRemoteAddr()).orElse(ClientAddress.UNKNOWN);
    }

    private static Optional<ClientAddress> lastForwardedFor(HttpServletRequest request) {
        List<String> headers = Collections.list(request.getHeaders(FORWARDED_FOR));
        if (headers.isEmpty()) {
            return Optional.empty();
        }
        String[] hops = headers.getLast().split(",", -1);
        return normalise(hops[hops.length - 1].strip());
    }

    /** The IP literal as a client: IPv4 as is, IPv6 as its {@code /64}; empty if not an IP literal. */
    static Optional<ClientAddress> normalise(@Nullable String literal) {
        if (literal == null) {
            return Optional.empty();
        }
        String bare =
                literal.startsWith("[") && literal.endsWith("]") ? literal.substring(1, literal.length() - 1) : literal;
        int zone = bare.indexOf('%');
        if (zone >= 0) {
            bare = bare.substring(0, zone);
        }
        Matcher ipv4 = IPV4.matcher(bare);
        if (ipv4.matches()) {
            StringJoiner canonical = new StringJoiner(".");
            for (int group = 1; group <= 4; group++) {
                int octet = Integer.parseInt(ipv4.group(group));
                if (octet > 255) {
                    return Optional.empty();
                }
                canonical.add(Integer.toString(octet));
            }
            return Optional.of(ClientAddress.of(canonical.toString()));
        }
        if (bare.indexOf(':') < 0 || !IPV6.matcher(bare).matches()) {
            return Optional.empty();
        }
        InetAddress address;
        try {
            // In brackets, InetAddress takes the text as an IPv6 literal and never asks DNS.
            address = InetAddress.getByName("[" + bare + "]");
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
        if (address instanceof Inet4Address) {
            return Optional.of(ClientAddress.of(address.getHostAddress()));
        }
        byte[] network = address.getAddress();
        if (network.length != 16) {
            return Optional.empty();
        }
        Arrays.fill(network, IPV6_NETWORK_BYTES, network.length, (byte) 0);
        try {
            return Optional.of(
                    ClientAddress.of(InetAddress.getByAddress(network).getHostAddress() + "/64"));
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }
}
