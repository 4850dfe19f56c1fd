package dev.latchkey.app.config;

import dev.latchkey.core.grant.ResourceName;
import java.net.URI;

/**
 * A downstream resource of a tenant (an MCP server, an API): its name, its base URL (tokens are
 * only ever attached to requests within it) and how Latchkey obtains a token for it.
 */
public record ResourceConfig(ResourceName name, URI url, ResourceAccess access) {}
