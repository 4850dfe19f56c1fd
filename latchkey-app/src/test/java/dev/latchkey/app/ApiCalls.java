package dev.latchkey.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.function.IntSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Real HTTP calls to a running {@link Application} for the application tests: requests with an
 * optional bearer token, the connect flow's round trip through the IdP, and reading values out of
 * answers.
 */
final class ApiCalls implements AutoCloseable {
    private final HttpClient http = HttpClient.newHttpClient();
    private final IntSupplier port;

    ApiCalls(IntSupplier port) {
        this.port = port;
    }

    HttpResponse<String> get(String path, @Nullable String bearer) throws Exception {
        return send(request(path, bearer).build());
    }

    HttpResponse<String> post(String path, @Nullable String bearer, String json) throws Exception {
        return send(request(path, bearer)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json))
                .build());
    }

    HttpRequest.Builder request(String path, @Nullable String bearer) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri(path));
        if (bearer != null) {
            builder.header("Authorization", "Bearer " + bearer);
        }
        return builder;
    }

    HttpResponse<String> send(HttpRequest request) throws Exception {
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port.getAsInt() + path);
    }

    /** Follows an authorization URL at the IdP (which logs in at once); returns the callback's query. */
    String redirectFromIdp(URI authorize) throws Exception {
        HttpResponse<String> login = send(HttpRequest.newBuilder(authorize).build());
        assertThat(login.statusCode()).as(login.body()).isEqualTo(302);
        URI location = URI.create(login.headers().firstValue("Location").orElseThrow());
        assertThat(location.getPath()).isEqualTo("/v1/connections/callback");
        return location.getRawQuery();
    }

    /** Latchkey's connect callback with {@code query}. */
    HttpResponse<String> callback(String query) throws Exception {
        return send(
                HttpRequest.newBuilder(uri("/v1/connections/callback?" + query)).build());
    }

    /** The first group of {@code pattern} in a JSON answer, with JSON escapes of URLs undone. */
    static String find(Pattern pattern, String body) {
        Matcher matcher = pattern.matcher(body);
        assertThat(matcher.find()).as(body).isTrue();
        return matcher.group(1).replace("\\u0026", "&").replace("\\/", "/");
    }

    /** A raw query parameter's value. */
    static String parameter(String query, String name) {
        for (String pair : query.split("&", -1)) {
            if (pair.startsWith(name + "=")) {
                return pair.substring(name.length() + 1);
            }
        }
        throw new AssertionError("no " + name + " in " + query);
    }

    @Override
    public void close() {
        http.close();
    }
}
