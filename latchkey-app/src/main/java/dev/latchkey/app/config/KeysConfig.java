package dev.latchkey.app.config;

/** Where the Tink keyset that encrypts stored tokens comes from. */
public record KeysConfig(KeysetSource keyset) {}
