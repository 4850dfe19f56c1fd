package dev.latchkey.server;

import dev.latchkey.core.health.DependencyUnavailableException;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.Header;
import io.javalin.http.HttpResponseException;
import io.javalin.http.MethodNotAllowedResponse;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The one place where failures become HTTP answers. Every error body is a small JSON object with
 * a fixed {@code error} code; an unexpected exception answers {@code 500
 * {"error":"server_error","id":"<request id>"}} and is logged with its class and message only.
 * No response ever carries a stack trace, an exception class name or an exception message
 * (ASVS 5.0 V16.5). Errors Jetty answers itself (431, 400, 503 while draining) use the same shape
 * through {@link JettyErrorHandler}.
 */
final class HttpErrors {
    private static final Logger LOG = LoggerFactory.getLogger(HttpErrors.class);

    private HttpErrors() {}

    static void install(JavalinConfig config) {
        // RFC 9110 §15.5.6: a known path with the wrong method is 405, not 404.
        config.http.prefer405over404 = true;
        config.routes.exception(HttpResponseException.class, HttpErrors::answerHttpResponse);
        config.routes.exception(DependencyUnavailableException.class, HttpErrors::answerUnavailable);
        config.routes.exception(Exception.class, HttpErrors::answerUnexpected);
        config.router.javaLangErrorHandler(HttpErrors::answerJavaLangError);
        config.jetty.modifyServer(server -> server.setErrorHandler(new JettyErrorHandler()));
    }

    /** The stable error code for a status, as sent in the {@code error} field. */
    static String code(int status) {
        return switch (status) {
            case 400 -> "bad_request";
            case 401 -> "unauthorized";
            case 403 -> "forbidden";
            case 404 -> "not_found";
            case 405 -> "method_not_allowed";
            case 406 -> "not_acceptable";
            case 408 -> "request_timeout";
            case 413 -> "content_too_large";
            case 414 -> "uri_too_long";
            case 415 -> "unsupported_media_type";
            case 429 -> "too_many_requests";
            case 431 -> "request_header_fields_too_large";
            case 503 -> "service_unavailable";
            default -> status >= 500 ? "server_error" : "bad_request";
        };
    }

    /** The JSON body for a status; codes are fixed ASCII words, so no escaping is needed. */
    static byte[] body(int status) {
        return ("{\"error\":\"" + code(status) + "\"}").getBytes(StandardCharsets.UTF_8);
    }

    private static void answerHttpResponse(HttpResponseException e, Context ctx) {
        int status = e.getStatus();
        if (e instanceof MethodNotAllowedResponse) {
            String allowed = e.getDetails().get("availableMethods");
            if (allowed != null) {
                ctx.header(Header.ALLOW, allowed);
            }
        }
        ctx.status(status).json(new ErrorBody(code(status)));
    }

    /** F-05: a dependency that is down is a retryable 503, never a 500. */
    private static void answerUnavailable(DependencyUnavailableException e, Context ctx) {
        LOG.warn(
                "dependency unavailable in {} {}: {}",
                RequestNames.method(ctx),
                RequestNames.route(ctx),
                e.getMessage());
        ctx.header("Retry-After", "5");
        ctx.status(503).json(new UnavailableBody("temporarily_unavailable", true));
    }

    private record UnavailableBody(String error, boolean retryable) {}

    private static void answerUnexpected(Exception e, Context ctx) {
        String id = RequestIdFilter.of(ctx.req());
        // Class and message only: a stack trace in the log would be repeated for every failing
        // request, and the message passes through the log redactor before it is written.
        LOG.error(
                "unhandled exception in {} {}: {}: {}",
                RequestNames.method(ctx),
                RequestNames.route(ctx),
                e.getClass().getName(),
                e.getMessage());
        ctx.status(500).json(new ServerErrorBody(code(500), id));
    }

    private static void answerJavaLangError(HttpServletResponse response, Error error) {
        String id = MDC.get(RequestIdFilter.MDC_KEY);
        LOG.error(
                "fatal error while serving a request: {}: {}", error.getClass().getName(), error.getMessage());
        if (response.isCommitted()) {
            return;
        }
        try {
            response.resetBuffer();
            response.setStatus(500);
            response.setContentType("application/json");
            SecurityHeaders.applyTo(response);
            String body = id == null
                    ? new String(body(500), StandardCharsets.UTF_8)
                    : "{\"error\":\"server_error\",\"id\":\"" + id + "\"}";
            response.getOutputStream().write(body.getBytes(StandardCharsets.UTF_8));
        } catch (IOException | IllegalStateException e) {
            LOG.debug("could not write the error answer: {}", e.getClass().getName());
        }
    }

    /** {@code {"error": code}}. */
    record ErrorBody(String error) {}

    /** {@code {"error": "server_error", "id": request id}}; the id lets support find the log line. */
    record ServerErrorBody(String error, String id) {}
}
