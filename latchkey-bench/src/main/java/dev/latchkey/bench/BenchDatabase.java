package dev.latchkey.bench;

import dev.latchkey.store.Database;
import dev.latchkey.store.DatabaseSettings;
import dev.latchkey.testkit.PostgresDatabase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * A fresh, migrated database for one benchmark trial: embedded H2 in a temporary directory, or a
 * new PostgreSQL database (testkit); closing it removes the directory or drops the database.
 */
final class BenchDatabase implements AutoCloseable {
    private final Database database;
    private final @Nullable Path h2Directory;
    private final @Nullable PostgresDatabase postgres;

    private BenchDatabase(Database database, @Nullable Path h2Directory, @Nullable PostgresDatabase postgres) {
        this.database = database;
        this.h2Directory = h2Directory;
        this.postgres = postgres;
    }

    /** Opens {@code kind}: {@code h2} or {@code postgresql}. */
    static BenchDatabase open(String kind) throws IOException {
        if ("h2".equals(kind)) {
            Path directory = Files.createTempDirectory("latchkey-bench-");
            return new BenchDatabase(
                    Database.open(DatabaseSettings.of("jdbc:h2:file:" + directory.resolve("latchkey"))),
                    directory,
                    null);
        }
        PostgresDatabase created = PostgresDatabase.create();
        return new BenchDatabase(
                Database.open(DatabaseSettings.of(created.jdbcUrl()).withCredentials(created.user(), null)),
                null,
                created);
    }

    /**
     * Where a benchmark process's Latchkey keeps its data, as {@code url} (and {@code user}) properties:
     * H2 under {@code out/h2}, or a new PostgreSQL database; both are removed when the JVM exits.
     */
    static java.util.Properties forProcess(String kind, Path out) {
        java.util.Properties location = new java.util.Properties();
        @Nullable PostgresDatabase postgres = null;
        if ("postgresql".equals(kind)) {
            postgres = PostgresDatabase.create();
            location.setProperty("url", postgres.jdbcUrl());
            location.setProperty("user", postgres.user());
        } else {
            location.setProperty("url", "jdbc:h2:file:" + out.resolve("h2").resolve("latchkey"));
        }
        @Nullable PostgresDatabase dropAtExit = postgres;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (dropAtExit != null) {
                dropAtExit.close();
            }
            deleteQuietly(out.resolve("h2"));
        }));
        return location;
    }

    private static void deleteQuietly(Path directory) {
        if (!Files.isDirectory(directory)) {
            return;
        }
        try (Stream<Path> files = Files.walk(directory)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            System.err.println("could not delete " + directory + ": " + e.getMessage());
        }
    }

    Database database() {
        return database;
    }

    @Override
    public void close() throws IOException {
        database.close();
        if (postgres != null) {
            postgres.close();
        }
        if (h2Directory != null) {
            try (Stream<Path> files = Files.walk(h2Directory)) {
                for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(file);
                }
            }
        }
    }
}
