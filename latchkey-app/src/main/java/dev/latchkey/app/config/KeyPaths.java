package dev.latchkey.app.config;

/** Builds the dotted paths problems are reported at: {@code tenants.acme.issuers[0].issuer}. */
final class KeyPaths {
    private KeyPaths() {}

    static String child(String parent, String key) {
        return parent.isEmpty() ? key : parent + "." + key;
    }

    static String index(String parent, int index) {
        return parent + "[" + index + "]";
    }
}
