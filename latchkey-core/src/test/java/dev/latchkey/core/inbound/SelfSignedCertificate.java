package dev.latchkey.core.inbound;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * An attacker's self-signed RSA certificate and private key, made by the JDK's own {@code keytool}
 * (the JDK has no public API to issue certificates and core has no certificate library).
 */
record SelfSignedCertificate(X509Certificate certificate, PrivateKey privateKey) {

    static SelfSignedCertificate generate() throws IOException, InterruptedException, GeneralSecurityException {
        Path dir = Files.createTempDirectory("x5c");
        Path store = dir.resolve("attacker.p12");
        char[] password = "changeit".toCharArray();
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Process process = new ProcessBuilder(List.of(
                        keytool.toString(),
                        "-genkeypair",
                        "-alias",
                        "attacker",
                        "-keyalg",
                        "RSA",
                        "-keysize",
                        "2048",
                        "-dname",
                        "CN=attacker.test",
                        "-validity",
                        "2",
                        "-storetype",
                        "PKCS12",
                        "-keystore",
                        store.toString(),
                        "-storepass",
                        new String(password)))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        if (process.waitFor() != 0) {
            throw new IllegalStateException("keytool failed");
        }
        KeyStore keyStore = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            keyStore.load(in, password);
        } finally {
            Files.deleteIfExists(store);
            Files.deleteIfExists(dir);
        }
        return new SelfSignedCertificate((X509Certificate) keyStore.getCertificate("attacker"), (PrivateKey)
                keyStore.getKey("attacker", password));
    }
}
