package dev.latchkey.client;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The rules for where the SDK may send credentials: the base URI (https, or http to a loopback
 * host behind an explicitly named development option, RFC 9700 §2 and ASVS V12), the panel
 * origin it presents, the tenant header and resource names as path segments.
 */
final class Endpoints {
    private static final Pattern TENANT = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");
    private static final Pattern IPV4 = Pattern.compile("([0-9]{1,3})\\.([0-9]{1,3})\\.([0-9]{1,3})\\.([0-9]{1,3})");
    private static final int MAX_RESOURCE_LENGTH = 256;

    private Endpoints() {}

    /**
     * The base URI without a trailing slash. It must be absolute, without user info, query or
     * fragment, and {@code https} — or {@code http} when {@code allowInsecureHttpForLoopback} is
     * set and the host is a loopback address, so that a typo in configuration never sends tokens
     * in clear text over a network.
     */
    static URI baseUri(URI uri, boolean allowInsecureHttpForLoopback) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        String host = uri.getHost();
        if (!uri.isAbsolute() || host == null || uri.isOpaque()) {
            throw new IllegalArgumentException("baseUri must be an absolute https URI with a host");
        }
        if (uri.getRawUserInfo() != null || uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new IllegalArgumentException("baseUri must not carry user info, a query or a fragment");
        }
        switch (scheme) {
            case "https" -> {}
            case "http" -> {
                if (!allowInsecureHttpForLoopback) {
                    throw new IllegalArgumentException(
                            "baseUri must use https; http is accepted only for a loopback host"
                                    + " and only with allowInsecureHttpForLoopback()");
                }
                if (!isLoopback(host)) {
                    throw new IllegalArgumentException("baseUri must use https: allowInsecureHttpForLoopback() accepts"
                            + " http only for localhost, 127.0.0.0/8 or [::1]");
                }
            }
            default -> throw new IllegalArgumentException("baseUri must use https");
        }
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        while (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        try {
            return new URI(scheme + "://" + uri.getRawAuthority() + path);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("baseUri is not a valid URI", e);
        }
    }

    /**
     * True for {@code localhost} (RFC 6761 §6.3) and for IP literals in a loopback range. Names
     * other than {@code localhost} are never resolved: the decision must not depend on DNS.
     */
    static boolean isLoopback(String host) {
        String name = host.toLowerCase(Locale.ROOT);
        if (name.equals("localhost")) {
            return true;
        }
        if (name.startsWith("[") && name.endsWith("]")) {
            String literal = name.substring(1, name.length() - 1);
            if (literal.indexOf(':') < 0 || literal.indexOf('%') >= 0) {
                return false;
            }
            try {
                // A literal containing ':' is parsed, never looked up.
                return InetAddress.getByName(literal).isLoopbackAddress();
            } catch (UnknownHostException e) {
                return false;
            }
        }
        var octets = IPV4.matcher(name);
        if (!octets.matches()) {
            return false;
        }
        for (int i = 1; i <= 4; i++) {
            if (Integer.parseInt(octets.group(i)) > 255) {
                return false;
            }
        }
        return Integer.parseInt(octets.group(1)) == 127;
    }

    /**
     * The serialized origin (RFC 6454 §6.2) of a panel: {@code scheme://host[:port]}, scheme and
     * host lower-cased, nothing else.
     */
    static String origin(String origin) {
        URI uri;
        try {
            uri = new URI(origin);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("origin must look like https://panel.example.com", e);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        if (!(scheme.equals("https") || scheme.equals("http"))
                || uri.getHost() == null
                || uri.getRawUserInfo() != null
                || !(path.isEmpty() || path.equals("/"))
                || uri.getRawQuery() != null
                || uri.getRawFragment() != null) {
            throw new IllegalArgumentException(
                    "origin must be scheme://host[:port] with no path, e.g. https://panel.example.com");
        }
        return scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT) + (uri.getPort() < 0 ? "" : ":" + uri.getPort());
    }

    /** A tenant id: 1-63 of a-z, 0-9, '-' and '_', starting with a letter or digit. */
    static String tenant(String tenant) {
        if (!TENANT.matcher(tenant).matches()) {
            throw new IllegalArgumentException(
                    "tenant must be 1-63 characters of a-z, 0-9, '-' or '_', starting with a letter or digit");
        }
        return tenant;
    }

    /**
     * A resource name as one path segment: UTF-8, every octet outside RFC 3986 §2.3 unreserved
     * percent-encoded, so that '/', '?', '#' and '%' in a name can never reach another route.
     * {@code .} and {@code ..} are refused: they are dot-segments whatever their encoding (§5.2.4).
     */
    static String pathSegment(String resource) {
        if (resource.isEmpty() || resource.length() > MAX_RESOURCE_LENGTH) {
            throw new IllegalArgumentException("resource must be 1 to " + MAX_RESOURCE_LENGTH + " characters");
        }
        if (resource.equals(".") || resource.equals("..")) {
            throw new IllegalArgumentException("resource must not be '.' or '..'");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte b : resource.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            boolean unreserved = (c >= 'a' && c <= 'z')
                    || (c >= 'A' && c <= 'Z')
                    || (c >= '0' && c <= '9')
                    || c == '-'
                    || c == '.'
                    || c == '_'
                    || c == '~';
            if (unreserved) {
                out.write(c);
            } else {
                out.writeBytes(String.format(Locale.ROOT, "%%%02X", c).getBytes(StandardCharsets.US_ASCII));
            }
        }
        return out.toString(StandardCharsets.US_ASCII);
    }
}
