package dev.latchkey.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The core knows OAuth and tokens, but no HTTP server, no SQL and no configuration format. */
class ArchitectureTest {
    private static final List<String> FORBIDDEN = List.of(
            "import io.javalin",
            "import org.eclipse.jetty",
            "import java.sql",
            "import javax.sql",
            "import tools.jackson",
            "import com.fasterxml.jackson",
            "import com.zaxxer",
            "import org.flywaydb",
            "import picocli",
            "import io.micrometer");

    @Test
    void coreSources_importNoAdapterFramework() throws IOException {
        Path sources = Path.of("src/main/java");
        try (Stream<Path> files = Files.walk(sources)) {
            List<String> violations = files.filter(file -> file.toString().endsWith(".java"))
                    .flatMap(file -> lines(file).stream()
                            .filter(line -> FORBIDDEN.stream().anyMatch(line::startsWith))
                            .map(line -> sources.relativize(file) + ": " + line))
                    .toList();
            assertThat(violations).isEmpty();
        }
        assertThat(sources).isDirectoryRecursivelyContaining("glob:**/EncryptedTokenStore.java");
    }

    private static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
