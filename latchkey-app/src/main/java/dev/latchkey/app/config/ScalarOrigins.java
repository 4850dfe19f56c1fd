package dev.latchkey.app.config;

import java.util.HashSet;
import java.util.Set;

/**
 * Where the scalars of one configuration came from, by path. The validator needs it to accept
 * {@code "8080"} for a port when the text came from the environment (where everything is text), to
 * warn about secrets written in the file, and to stay silent about values whose interpolation
 * already failed. Confined to the thread of one load.
 */
final class ScalarOrigins {
    private final Set<String> interpolated = new HashSet<>();
    private final Set<String> writtenInFile = new HashSet<>();
    private final Set<String> unresolved = new HashSet<>();

    /** A scalar is text from the file, possibly with file-written defaults standing in. */
    void literal(String path) {
        writtenInFile.add(path);
    }

    /** A scalar's text came (at least partly) from the environment. */
    void interpolated(String path, boolean usedDefault) {
        interpolated.add(path);
        if (usedDefault) {
            writtenInFile.add(path);
        } else {
            writtenInFile.remove(path);
        }
    }

    /** A scalar could not be interpolated; its problem is already reported. */
    void unresolved(String path) {
        unresolved.add(path);
    }

    /** An environment override replaced whatever the file said at this path. */
    void overridden(String path) {
        interpolated.add(path);
        writtenInFile.remove(path);
        unresolved.remove(path);
    }

    boolean isInterpolated(String path) {
        return interpolated.contains(path);
    }

    boolean isWrittenInFile(String path) {
        return writtenInFile.contains(path);
    }

    boolean isUnresolved(String path) {
        return unresolved.contains(path);
    }
}
