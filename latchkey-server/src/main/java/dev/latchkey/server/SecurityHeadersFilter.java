package dev.latchkey.server;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * Sets the response headers every Latchkey answer carries, before any handler runs, so an error
 * path cannot forget them. A handler may still replace {@code Cache-Control} for a response that
 * is safe to cache; by default nothing is, because most answers carry tokens or identities.
 */
final class SecurityHeadersFilter implements Filter {

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        SecurityHeaders.applyTo((HttpServletResponse) response);
        chain.doFilter(request, response);
    }
}
