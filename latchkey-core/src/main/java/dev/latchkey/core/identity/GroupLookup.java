package dev.latchkey.core.identity;

import java.util.Set;

/** The answer of a {@link GroupDirectory}. */
public sealed interface GroupLookup {

    /** The user's groups, as the directory lists them. */
    record Found(Set<String> groups) implements GroupLookup {
        public Found {
            groups = Set.copyOf(groups);
        }
    }

    /**
     * The directory could not answer.
     *
     * @param reason a fixed lower-case code, e.g. {@code directory_unavailable}
     */
    record Failed(String reason) implements GroupLookup {}
}
