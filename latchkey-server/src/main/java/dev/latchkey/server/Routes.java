package dev.latchkey.server;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Handler;
import java.time.Clock;

/**
 * The narrow view of Javalin's route table that a {@link RouteModule} sees. Paths are templates
 * such as {@code /v1/tokens/{resource}}: the template, never the raw path, becomes the metric tag
 * and access-log field, so a path parameter cannot blow up metric cardinality. Errors thrown by a
 * handler are turned into JSON answers by {@link HttpErrors}; handlers need not catch them.
 */
public final class Routes {
    private final RoutesConfig routes;
    private final Clock clock;

    Routes(RoutesConfig routes, Clock clock) {
        this.routes = routes;
        this.clock = clock;
    }

    public Routes get(String pathTemplate, Handler handler) {
        routes.get(pathTemplate, handler);
        return this;
    }

    public Routes post(String pathTemplate, Handler handler) {
        routes.post(pathTemplate, handler);
        return this;
    }

    public Routes put(String pathTemplate, Handler handler) {
        routes.put(pathTemplate, handler);
        return this;
    }

    public Routes patch(String pathTemplate, Handler handler) {
        routes.patch(pathTemplate, handler);
        return this;
    }

    public Routes delete(String pathTemplate, Handler handler) {
        routes.delete(pathTemplate, handler);
        return this;
    }

    /** A handler run before the endpoint of every request whose path matches {@code pathTemplate}. */
    public Routes before(String pathTemplate, Handler handler) {
        routes.before(pathTemplate, handler);
        return this;
    }

    public Routes options(String pathTemplate, Handler handler) {
        routes.options(pathTemplate, handler);
        return this;
    }

    /** The server's clock; handlers that stamp or compare times use it so tests can move time. */
    public Clock clock() {
        return clock;
    }
}
