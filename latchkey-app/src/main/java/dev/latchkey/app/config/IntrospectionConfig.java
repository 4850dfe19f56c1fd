package dev.latchkey.app.config;

import dev.latchkey.core.secret.Secret;
import java.net.URI;

/**
 * Where an issuer's opaque (non-JWT) bearer tokens are introspected (RFC 7662), and the client
 * credentials Latchkey presents there with {@code client_secret_basic}.
 */
public record IntrospectionConfig(URI endpoint, String clientId, Secret clientSecret) {}
