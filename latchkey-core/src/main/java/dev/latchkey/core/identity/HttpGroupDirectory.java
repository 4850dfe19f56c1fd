package dev.latchkey.core.identity;

import com.nimbusds.jose.util.JSONObjectUtils;
import dev.latchkey.core.secret.Secret;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * A {@link GroupDirectory} over Microsoft Graph's {@code getMemberObjects} (or any endpoint with
 * the same contract): {@code POST <endpoint>} with body {@code {"securityEnabledOnly":false}} and
 * a bearer token, answered by {@code {"value":["<group id>", …]}}. The endpoint is configured, with
 * {@code {oid}} standing for the user's object id from the token's {@code oid} claim; the URL the
 * token names in {@code _claim_sources} is never called (it is attacker-influenced input).
 *
 * <p>The object id must be a GUID before it is put into the URL. Only {@code https} endpoints are
 * accepted, or {@code http} on a loopback address (test stubs). Responses are bounded in time and
 * size. Thread-safe; never throws.
 */
public final class HttpGroupDirectory implements GroupDirectory {
    private static final Pattern GUID =
            Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    private static final String PLACEHOLDER = "{oid}";
    private static final int MAX_RESPONSE_BYTES = 1 << 20;
    private static final String BODY = "{\"securityEnabledOnly\":false}";

    private final HttpClient client;
    private final String endpointTemplate;
    private final Supplier<Secret> accessToken;
    private final Duration timeout;

    /**
     * Checks the endpoint once, so that a bad configuration fails at start.
     *
     * @param endpointTemplate e.g. {@code https://graph.microsoft.com/v1.0/users/{oid}/getMemberObjects}
     * @param accessToken supplies the current bearer token for the directory on each call
     * @throws IllegalArgumentException if the template lacks {@code {oid}} or is not https (or
     *     loopback http)
     */
    public HttpGroupDirectory(
            HttpClient client, String endpointTemplate, Supplier<Secret> accessToken, Duration timeout) {
        if (!endpointTemplate.contains(PLACEHOLDER)) {
            throw new IllegalArgumentException("group directory endpoint must contain {oid}");
        }
        URI sample = URI.create(endpointTemplate.replace(PLACEHOLDER, "00000000-0000-0000-0000-000000000000"));
        if (!isAllowed(sample)) {
            throw new IllegalArgumentException(
                    "group directory endpoint must be https (or http on a loopback address)");
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("group directory timeout must be positive");
        }
        this.client = client;
        this.endpointTemplate = endpointTemplate;
        this.accessToken = accessToken;
        this.timeout = timeout;
    }

    @Override
    public GroupLookup groupsOf(TokenIdentity identity) {
        if (!(identity.claims().get("oid") instanceof String oid)
                || !GUID.matcher(oid).matches()) {
            return new GroupLookup.Failed("no_object_id");
        }
        try {
            HttpRequest request = HttpRequest.newBuilder(
                            URI.create(endpointTemplate.replace(PLACEHOLDER, oid.toLowerCase(Locale.ROOT))))
                    .timeout(timeout)
                    .header("Authorization", "Bearer " + accessToken.get().reveal())
                    .header("Content-Type", "application/json")
                    .header("Accept", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(BODY))
                    .build();
            HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream body = response.body()) {
                if (response.statusCode() != 200) {
                    return new GroupLookup.Failed("directory_status_" + response.statusCode() / 100 + "xx");
                }
                byte[] bytes = body.readNBytes(MAX_RESPONSE_BYTES + 1);
                if (bytes.length > MAX_RESPONSE_BYTES) {
                    return new GroupLookup.Failed("directory_response_too_large");
                }
                return parse(new String(bytes, StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            return new GroupLookup.Failed("directory_unavailable");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new GroupLookup.Failed("directory_unavailable");
        } catch (RuntimeException e) {
            return new GroupLookup.Failed("directory_error");
        }
    }

    private static GroupLookup parse(String json) {
        try {
            Map<String, Object> object = JSONObjectUtils.parse(json);
            if (!(object.get("value") instanceof List<?> values)) {
                return new GroupLookup.Failed("directory_response_invalid");
            }
            Set<String> groups = new LinkedHashSet<>();
            for (Object value : values) {
                if (value instanceof String group) {
                    groups.add(group);
                }
            }
            return new GroupLookup.Found(groups);
        } catch (ParseException e) {
            return new GroupLookup.Failed("directory_response_invalid");
        }
    }

    private static boolean isAllowed(URI uri) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (uri.getHost() == null || uri.getRawUserInfo() != null) {
            return false;
        }
        if (scheme.equals("https")) {
            return true;
        }
        return scheme.equals("http") && isLoopbackLiteral(uri.getHost());
    }

    // Only IP literals count as loopback: a name could resolve elsewhere later.
    private static boolean isLoopbackLiteral(String host) {
        String literal = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (!literal.matches("[0-9.]+|[0-9a-fA-F:]+")) {
            return false;
        }
        try {
            return InetAddress.getByName(literal).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    @Override
    public String toString() {
        return "HttpGroupDirectory[" + endpointTemplate + "]";
    }
}
