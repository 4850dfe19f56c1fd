package dev.latchkey.app.config;

/**
 * Switches for local development; both off in production. {@code allowInsecureHttp} lets issuer,
 * endpoint, resource, login and CORS URLs use {@code http} on loopback hosts only;
 * {@code generateKeyset} creates a keyset file when none exists.
 */
public record DevelopmentConfig(boolean allowInsecureHttp, boolean generateKeyset) {}
