package dev.latchkey.server;

/**
 * A group of routes that the app adds to a {@link LatchkeyServer} (token API, sessions, admin).
 * Called once, while the server is configured and before it starts; an implementation only
 * declares routes on the facade it is given.
 */
@FunctionalInterface
public interface RouteModule {

    void register(Routes routes);
}
