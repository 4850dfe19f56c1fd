package dev.latchkey.app.config;

import dev.latchkey.core.secret.Secret;
import java.nio.file.Path;

/**
 * Where the Tink JSON keyset is read from: a file ({@code file:<path>}, which {@code latchkey keys}
 * can rotate and {@code development.generateKeyset} can create), or an environment variable
 * ({@code env:<VAR>}) whose value the loader has already read.
 */
public sealed interface KeysetSource {

    /** The keyset lives in a file; a relative path is relative to the working directory. */
    record FromFile(Path path) implements KeysetSource {}

    /** The keyset is the value of an environment variable, held as a {@link Secret}. */
    record FromEnvironment(String variable, Secret keyset) implements KeysetSource {}
}
