package dev.latchkey.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.latchkey.testkit.LatchkeyProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line as a user meets it: help, version, check-config and keys. */
class CliTest {
    @TempDir
    Path dir;

    @Test
    void help_listsEveryCommand() {
        LatchkeyProcess.Result result = LatchkeyProcess.run(dir, Map.of(), "--help");

        assertThat(result.exitCode()).isZero();
        assertThat(result.stdout()).contains("serve", "demo", "check-config", "keys");
    }

    @Test
    void version_printsVersionAndJava() {
        LatchkeyProcess.Result result = LatchkeyProcess.run(dir, Map.of(), "--version");

        assertThat(result.exitCode()).isZero();
        assertThat(result.stdout()).contains("latchkey 0.1.0-SNAPSHOT").contains("Java");
    }

    @Test
    void unknownCommand_usageErrorExitTwo() {
        assertThat(LatchkeyProcess.run(dir, Map.of(), "frobnicate").exitCode()).isEqualTo(2);
    }

    @Test
    void checkConfig_brokenFile_printsEveryProblemAndExitsOne() throws Exception {
        Files.writeString(dir.resolve("bad.yaml"), """
                server: { port: 99999, colour: blue }
                keys: { keyset: "file:./keyset.json" }
                tenants:
                  acme:
                    issuers:
                      - issuer: http://idp.example.com/realms/acme
                        audiences: [latchkey]
                    login: { issuer: https://idp.example.com, clientId: latchkey, clientSecret: "${ACME_SECRET}" }
                """);

        LatchkeyProcess.Result result = LatchkeyProcess.run(dir, Map.of(), "check-config", "bad.yaml");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.stderr())
                .contains("server.port")
                .contains("server.colour")
                .contains("tenants.acme.issuers[0].issuer")
                .contains("ACME_SECRET")
                .doesNotContain("\tat ");
    }

    @Test
    void checkConfig_validFile_okAndPrintMasksSecrets() throws Exception {
        assertThat(LatchkeyProcess.run(dir, Map.of(), "keys", "generate", "--keyset", "keyset.json")
                        .exitCode())
                .isZero();
        Files.writeString(dir.resolve("good.yaml"), """
                keys: { keyset: "file:./keyset.json" }
                tenants:
                  acme:
                    issuers:
                      - issuer: https://idp.example.com/realms/acme
                        audiences: [latchkey]
                    login: { issuer: https://idp.example.com/realms/acme, clientId: latchkey, clientSecret: "${ACME_SECRET}" }
                """);

        LatchkeyProcess.Result result = LatchkeyProcess.run(
                dir, Map.of("ACME_SECRET", "s3cret-value-never-printed"), "check-config", "good.yaml", "--print");

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.stdout())
                .contains("good.yaml: OK (1 tenant(s): acme)")
                .contains("****");
        assertThat(result.output()).doesNotContain("s3cret-value-never-printed");
    }

    @Test
    void keys_generateRotateListDisable_neverPrintKeyMaterial() throws Exception {
        assertThat(LatchkeyProcess.run(dir, Map.of(), "keys", "generate", "--keyset", "k.json")
                        .exitCode())
                .isZero();
        LatchkeyProcess.Result again = LatchkeyProcess.run(dir, Map.of(), "keys", "generate", "--keyset", "k.json");
        assertThat(again.exitCode()).isEqualTo(1);
        assertThat(again.stderr()).contains("already exists");
        String firstKey = LatchkeyProcess.run(dir, Map.of(), "keys", "list", "--keyset", "k.json")
                .stdout();

        assertThat(LatchkeyProcess.run(dir, Map.of(), "keys", "rotate", "--keyset", "k.json")
                        .exitCode())
                .isZero();
        LatchkeyProcess.Result list = LatchkeyProcess.run(dir, Map.of(), "keys", "list", "--keyset", "k.json");

        assertThat(list.stdout().lines().filter(line -> line.contains("ENABLED")))
                .hasSize(2);
        String oldId = firstKey.lines().skip(1).findFirst().orElseThrow().trim().split("\\s+", -1)[0];
        assertThat(LatchkeyProcess.run(dir, Map.of(), "keys", "disable", oldId, "--keyset", "k.json")
                        .exitCode())
                .isZero();
        String material =
                Files.readString(dir.resolve("k.json")).replaceAll("(?s).*\"value\":\\s*\"([^\"]+)\".*", "$1");
        assertThat(LatchkeyProcess.run(dir, Map.of(), "keys", "list", "--keyset", "k.json")
                        .output())
                .contains("DISABLED")
                .doesNotContain(material);
    }
}
