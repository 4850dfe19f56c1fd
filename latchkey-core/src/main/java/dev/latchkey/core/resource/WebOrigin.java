package dev.latchkey.core.resource;

import java.net.URI;
import java.util.Locale;
import java.util.Optional;

/**
 * The web origin of a URL as browsers send it in {@code Origin} (RFC 6454): lower-case scheme and
 * host, and the port only when it is explicit. Only http and https URLs have one here.
 */
public final class WebOrigin {
    private WebOrigin() {}

    /** The origin of {@code uri}, or empty if it is not an absolute http(s) URL with a host. */
    public static Optional<String> of(URI uri) {
        if (uri.getScheme() == null || uri.getHost() == null) {
            return Optional.empty();
        }
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http")) {
            return Optional.empty();
        }
        return Optional.of(scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT)
                + (uri.getPort() == -1 ? "" : ":" + uri.getPort()));
    }
}
