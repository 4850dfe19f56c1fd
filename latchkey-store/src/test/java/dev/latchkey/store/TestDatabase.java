package dev.latchkey.store;

import dev.latchkey.testkit.PostgresDatabase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/** A migrated database of one kind, H2 in a temporary directory or a fresh PostgreSQL database. */
final class TestDatabase implements AutoCloseable {
    private final DatabaseSettings settings;
    private final Database database;
    private final @Nullable Path h2Directory;
    private final @Nullable PostgresDatabase postgres;

    private TestDatabase(DatabaseSettings settings, @Nullable Path h2Directory, @Nullable PostgresDatabase postgres) {
        this.settings = settings;
        this.h2Directory = h2Directory;
        this.postgres = postgres;
        this.database = Database.open(settings);
    }

    static TestDatabase h2() {
        try {
            Path directory = Files.createTempDirectory("latchkey-h2-");
            return new TestDatabase(
                    DatabaseSettings.of("jdbc:h2:file:" + directory.resolve("latchkey")), directory, null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static TestDatabase postgres() {
        PostgresDatabase postgres = PostgresDatabase.create();
        try {
            return new TestDatabase(
                    DatabaseSettings.of(postgres.jdbcUrl()).withCredentials(postgres.user(), null), null, postgres);
        } catch (RuntimeException e) {
            postgres.close();
            throw e;
        }
    }

    DatabaseSettings settings() {
        return settings;
    }

    Database database() {
        return database;
    }

    DataSource dataSource() {
        return database.dataSource();
    }

    /** Runs one statement with parameters (byte[], String, Long...) and returns the update count. */
    int update(String sql, Object... parameters) {
        try (Connection connection = dataSource().getConnection();
                PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setObject(i + 1, parameters[i]);
            }
            return statement.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The files of an H2 database (empty for PostgreSQL, whose files belong to the server). */
    List<Path> files() {
        if (h2Directory == null) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(h2Directory)) {
            return files.filter(Files::isRegularFile).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        database.close();
        if (postgres != null) {
            postgres.close();
        }
        if (h2Directory != null) {
            try (Stream<Path> files = Files.walk(h2Directory)) {
                for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(file);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @Override
    public String toString() {
        return settings.displayUrl();
    }
}
