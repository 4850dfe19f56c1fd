package dev.latchkey.app.config;

/**
 * How Latchkey gets a token for a resource: by the user's interactive authorization (a stored,
 * refreshed grant) or by exchanging the user's inbound token. A resource has exactly one.
 */
public sealed interface ResourceAccess permits AuthorizationConfig, ExchangeConfig {}
