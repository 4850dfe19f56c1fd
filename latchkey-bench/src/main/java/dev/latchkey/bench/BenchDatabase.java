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
