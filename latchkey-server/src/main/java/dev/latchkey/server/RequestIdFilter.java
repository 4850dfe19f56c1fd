package dev.latchkey.server;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.MDC;

/**
 * Gives every request a correlation id: the caller's {@code X-Request-Id} when it is a short
 * token of safe characters, otherwise a fresh random UUID. The id is echoed in the response
 * header, stored as a request attribute and put in the SLF4J MDC under {@code request_id} for
 * exactly the duration of the request, so every log line of the request carries it.
 */
final class RequestIdFilter implements Filter {
    static final String HEADER = "X-Request-Id";
    static final String MDC_KEY = "request_id";
    private static final String ATTRIBUTE = RequestIdFilter.class.getName();

    // CWE-117 / CWE-113: a caller-chosen id reaches logs and a response header, so only a short
    // token without separators, quotes or control characters is taken as it is.
    private static final Pattern ACCEPTABLE = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        String id = acceptOrGenerate(((HttpServletRequest) request).getHeader(HEADER));
        request.setAttribute(ATTRIBUTE, id);
        ((HttpServletResponse) response).setHeader(HEADER, id);
        MDC.put(MDC_KEY, id);
        try {
            chain.doFilter(request, response);
        } finally {
            // Request threads are pooled (or virtual threads reused by the carrier's ThreadLocal
            // map); a stale id would be attributed to the next request's log lines.
            MDC.remove(MDC_KEY);
        }
    }

    static String acceptOrGenerate(@Nullable String incoming) {
        if (incoming != null && ACCEPTABLE.matcher(incoming).matches()) {
            return incoming;
        }
        return UUID.randomUUID().toString();
    }

    /** The id assigned to this request, or a fresh one if the request bypassed the filter. */
    static String of(HttpServletRequest request) {
        return request.getAttribute(ATTRIBUTE) instanceof String id
                ? id
                : UUID.randomUUID().toString();
    }
}
