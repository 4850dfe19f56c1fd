package dev.latchkey.app.cli;

import dev.latchkey.app.Storage;
import dev.latchkey.app.config.LatchkeyConfig;
import dev.latchkey.app.keys.KeysetFiles;
import dev.latchkey.core.audit.AuditEvent;
import dev.latchkey.core.crypto.InvalidKeysetException;
import dev.latchkey.core.crypto.Keyset;
import dev.latchkey.core.crypto.TinkCipher;
import dev.latchkey.core.secret.DeploymentSecretUnreadableException;
import dev.latchkey.store.DatabaseUnavailableException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code latchkey keys reseal}: re-encrypts every stored token set and every deployment secret
 * (the API key pepper) under the primary key, so that old keys can be disabled. Safe while
 * replicas serve: resealing keeps row versions and never changes a secret's value.
 */
@Command(
        name = "reseal",
        description =
                "Re-encrypt all stored tokens and deployment secrets under the primary key (after 'keys rotate').")
final class ResealCommand implements Callable<Integer> {
    private static final int PAGE = 500;

    @Spec
    @SuppressWarnings("NullAway.Init") // injected by picocli before call()
    CommandSpec spec;

    @Mixin
    ConfigOption config = new ConfigOption();

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        Optional<LatchkeyConfig> loaded = config.load(err);
        if (loaded.isEmpty()) {
            return ExitCodes.PROBLEM;
        }
        try {
            Keyset keyset = KeysetFiles.load(loaded.get().keys().keyset());
            Clock clock = Clock.systemUTC();
            try (Storage storage =
                    Storage.open(loaded.get().database(), TinkCipher.of(keyset), new SimpleMeterRegistry(), clock)) {
                long count = storage.tokens().resealAll(PAGE);
                int secrets = storage.secrets().resealAll();
                for (var tenant : loaded.get().tenants().keySet()) {
                    storage.audit()
                            .record(new AuditEvent(
                                    clock.instant(),
                                    tenant,
                                    "cli",
                                    "keys.reseal",
                                    "completed",
                                    Map.of(
                                            "primary_key_id",
                                            Long.toString(keyset.primaryKeyId()),
                                            "token_sets",
                                            Long.toString(count),
                                            "deployment_secrets",
                                            Integer.toString(secrets))));
                }
                spec.commandLine()
                        .getOut()
                        .println("resealed " + count + " token set(s) and " + secrets
                                + " deployment secret(s) under primary key " + keyset.primaryKeyId());
                return ExitCodes.OK;
            }
        } catch (InvalidKeysetException e) {
            err.println("keys.keyset: " + e.getMessage());
        } catch (DatabaseUnavailableException e) {
            err.println("database: " + e.getMessage());
        } catch (DeploymentSecretUnreadableException e) {
            err.println("keys.keyset: " + e.getMessage());
        }
        return ExitCodes.PROBLEM;
    }
}
