package dev.latchkey.app.config;

/** Whether a tenant accepts API keys; when off, its API-key endpoints answer {@code 403 api_keys_disabled}. */
public record ApiKeysConfig(boolean enabled) {}
