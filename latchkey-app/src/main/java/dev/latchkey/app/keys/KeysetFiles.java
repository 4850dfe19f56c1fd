package dev.latchkey.app.keys;

import dev.latchkey.app.config.KeysetSource;
import dev.latchkey.core.crypto.InvalidKeysetException;
import dev.latchkey.core.crypto.Keyset;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Reads the keyset from where the configuration says it is, and writes keyset files so that only
 * their owner can read them. Errors name the location and the problem, never key material.
 */
public final class KeysetFiles {
    private KeysetFiles() {}

    /**
     * Loads the keyset from a file or from the environment variable's value.
     *
     * @throws InvalidKeysetException naming the location and what is wrong with it
     */
    public static Keyset load(KeysetSource source) throws InvalidKeysetException {
        return switch (source) {
            case KeysetSource.FromFile file -> read(file.path());
            case KeysetSource.FromEnvironment env -> {
                try {
                    yield Keyset.fromJson(env.keyset().reveal());
                } catch (InvalidKeysetException e) {
                    throw new InvalidKeysetException("environment variable " + env.variable() + ": " + e.getMessage());
                }
            }
        };
    }

    /**
     * Reads a keyset file.
     *
     * @throws InvalidKeysetException if it is missing, unreadable or not a Tink AEAD keyset
     */
    public static Keyset read(Path path) throws InvalidKeysetException {
        String json;
        try {
            json = Files.readString(path, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new InvalidKeysetException("keyset file " + path + " does not exist; create one with"
                    + " 'latchkey keys generate --keyset " + path + "'");
        } catch (AccessDeniedException e) {
            throw new InvalidKeysetException("keyset file " + path + " is not readable by this user");
        } catch (IOException e) {
            throw new InvalidKeysetException(
                    "cannot read keyset file " + path + " (" + e.getClass().getSimpleName() + ")");
        }
        try {
            return Keyset.fromJson(json);
        } catch (InvalidKeysetException e) {
            throw new InvalidKeysetException("keyset file " + path + ": " + e.getMessage());
        }
    }

    /**
     * Writes the keyset, readable by its owner only, replacing the file atomically.
     *
     * @param replace whether an existing file may be replaced
     * @throws FileAlreadyExistsException if the file exists and {@code replace} is false
     */
    public static void write(Path path, Keyset keyset, boolean replace) throws IOException {
        if (!replace && Files.exists(path)) {
            throw new FileAlreadyExistsException(path.toString());
        }
        Path directory = path.toAbsolutePath().getParent();
        Files.createDirectories(directory);
        Path temporary = Files.createTempFile(directory, ".keyset", ".tmp");
        try {
            restrictToOwner(temporary);
            Files.writeString(temporary, keyset.toJson(), StandardCharsets.UTF_8);
            try {
                Files.move(temporary, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temporary, path, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    private static void restrictToOwner(Path file) throws IOException {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // Not a POSIX file system: the directory's own protection applies.
        }
    }
}
