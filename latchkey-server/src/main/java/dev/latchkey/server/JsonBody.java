package dev.latchkey.server;

import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * Reads a small JSON object body: bounded in size (a larger body is refused without being read to
 * the end), an object, and only the named fields. Every failure is an {@link InvalidRequestException}
 * with a fixed description, never an echo of the input.
 */
final class JsonBody {
    private JsonBody() {}

    static JsonNode object(Context ctx, int maxBytes, Set<String> fields) throws InvalidRequestException {
        byte[] body = read(ctx, maxBytes);
        JsonNode json;
        try {
            json = ctx.jsonMapper().fromJsonString(new String(body, StandardCharsets.UTF_8), JsonNode.class);
        } catch (JacksonException e) {
            throw new InvalidRequestException("the body is not JSON", e);
        }
        if (json == null || !json.isObject()) {
            throw new InvalidRequestException("the body must be a JSON object");
        }
        for (String field : json.propertyNames()) {
            if (!fields.contains(field)) {
                throw new InvalidRequestException(
                        "unknown field; expected " + String.join(", ", new java.util.TreeSet<>(fields)));
            }
        }
        return json;
    }

    private static byte[] read(Context ctx, int maxBytes) throws InvalidRequestException {
        if (ctx.contentLength() > maxBytes) {
            throw new InvalidRequestException("the body is larger than " + maxBytes + " bytes");
        }
        try (InputStream in = ctx.req().getInputStream()) {
            byte[] body = in.readNBytes(maxBytes + 1);
            if (body.length > maxBytes) {
                throw new InvalidRequestException("the body is larger than " + maxBytes + " bytes");
            }
            return body;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The request cannot be understood; the message is a fixed description, never the input. */
    static final class InvalidRequestException extends Exception {
        private static final long serialVersionUID = 1L;

        private final String description;

        InvalidRequestException(String description) {
            super(description);
            this.description = description;
        }

        InvalidRequestException(String description, Throwable cause) {
            super(description, cause);
            this.description = description;
        }

        String description() {
            return description;
        }
    }
}
