package dev.latchkey.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;
import org.jspecify.annotations.Nullable;

/**
 * Where the serving process of {@code scripts/bench-sessions.sh} spends a refresh, from a JFR
 * recording taken under load ({@code SessionRefreshProfile FILE.jfr [REFRESHES]}), each figure by
 * the step of {@code POST /v1/sessions/refresh} its stack is in (the first rule below that matches a
 * frame): execution samples (Java code on CPU), allocation (JFR's sampled estimate), exceptions
 * thrown, and, for request threads only, the time spent waiting (parked, blocked on a monitor, or in
 * a socket read above the recording's threshold); plus the collector's pauses. With REFRESHES (the
 * refreshes done while recording), allocation and exceptions are also given per refresh. The
 * database's own work (PostgreSQL backends) and the collector and compiler threads are not in the
 * samples.
 */
public final class SessionRefreshProfile {
    /** Step name, then the class name (whole, or a package prefix ending in '.') and method ("" for any). */
    private static final List<String[]> RULES = List.of(
            new String[] {"waiting for a pooled connection", "com.zaxxer.hikari.pool.HikariPool", "getConnection"},
            new String[] {"refresh-token store: find", "dev.latchkey.store.JdbcRefreshTokenStore", "find"},
            new String[] {"refresh-token store: rotate", "dev.latchkey.store.JdbcRefreshTokenStore", "rotate"},
            new String[] {"refresh-token store: other", "dev.latchkey.store.JdbcRefreshTokenStore", ""},
            new String[] {"user directory: find", "dev.latchkey.store.JdbcUserDirectory", ""},
            new String[] {"access token: mint (ES256)", "dev.latchkey.core.session.SessionAccessTokens", "mint"},
            new String[] {"successor: Tink's new SecureRandom", "com.google.crypto.tink.internal.Random", "create"},
            new String[] {"successor: seal (AES-GCM)", "dev.latchkey.core.crypto.TinkCipher", ""},
            new String[] {"client fingerprint", "dev.latchkey.core.session.ClientContext", ""},
            new String[] {"hash of the presented token", "dev.latchkey.core.secret.Secret", ""},
            new String[] {"new refresh token (random)", "com.nimbusds.oauth2.sdk.id.Identifier", ""},
            new String[] {"CrossOriginSessions: other", "dev.latchkey.core.session.CrossOriginSessions", ""},
            new String[] {"route: JSON body", "dev.latchkey.server.JsonBody", ""},
            new String[] {"route: other (JSON answer, CORS)", "dev.latchkey.server.SessionRoutes", ""},
            new String[] {"H2 background writer", "org.h2.mvstore.FileStore", ""},
            new String[] {"HTTP stack (Jetty, Javalin, filters, metrics)", "org.eclipse.jetty.", ""},
            new String[] {"HTTP stack (Jetty, Javalin, filters, metrics)", "io.javalin.", ""},
            new String[] {"HTTP stack (Jetty, Javalin, filters, metrics)", "dev.latchkey.server.", ""});

    private static final String REQUEST_FRAME = "dev.latchkey.server.SessionRoutes";

    private SessionRefreshProfile() {}

    public static void main(String[] args) throws IOException {
        if (args.length < 1 || args.length > 2) {
            System.err.println("usage: SessionRefreshProfile FILE.jfr [REFRESHES]");
            System.exit(2);
        }
        long refreshes = args.length == 2 ? Long.parseLong(args[1]) : 0;
        Map<String, Long> samples = new LinkedHashMap<>();
        Map<String, Long> allocated = new LinkedHashMap<>();
        Map<String, Long> allocationSites = new LinkedHashMap<>();
        Map<String, Long> exceptions = new LinkedHashMap<>();
        Map<String, Duration> waits = new LinkedHashMap<>();
        long sampleCount = 0;
        long allocatedBytes = 0;
        long exceptionCount = 0;
        Duration gcPauses = Duration.ZERO;
        long gcCount = 0;
        double jvm = 0;
        double machine = 0;
        long cpuReadings = 0;
        try (RecordingFile file = new RecordingFile(Path.of(args[0]))) {
            while (file.hasMoreEvents()) {
                RecordedEvent event = file.readEvent();
                switch (event.getEventType().getName()) {
                    case "jdk.ExecutionSample" -> {
                        samples.merge(step(event.getStackTrace()), 1L, Long::sum);
                        sampleCount++;
                    }
                    case "jdk.ObjectAllocationSample" -> {
                        long weight = event.getLong("weight");
                        allocated.merge(step(event.getStackTrace()), weight, Long::sum);
                        allocationSites.merge(top(event.getStackTrace()), weight, Long::sum);
                        allocatedBytes += weight;
                    }
                    case "jdk.JavaExceptionThrow" -> {
                        String thrown = event.getClass("thrownClass").getName();
                        exceptions.merge(thrown + " in " + step(event.getStackTrace()), 1L, Long::sum);
                        exceptionCount++;
                    }
                    case "jdk.ThreadPark", "jdk.JavaMonitorEnter", "jdk.SocketRead" -> {
                        if (within(event.getStackTrace(), REQUEST_FRAME)) {
                            String kind = event.getEventType().getName().substring(4);
                            waits.merge(
                                    kind + " in " + step(event.getStackTrace()), event.getDuration(), Duration::plus);
                        }
                    }
                    case "jdk.GarbageCollection" -> {
                        gcPauses = gcPauses.plus(event.getDuration("sumOfPauses"));
                        gcCount++;
                    }
                    case "jdk.CPULoad" -> {
                        jvm += event.getFloat("jvmUser") + event.getFloat("jvmSystem");
                        machine += event.getFloat("machineTotal");
                        cpuReadings++;
                    }
                    default -> {}
                }
            }
        }
        System.out.printf("execution samples (Java code on CPU, all threads): %d%n", sampleCount);
        print(samples, sampleCount, 0, "");
        System.out.printf(
                "allocation (sampled estimate): %d MB%s%n",
                allocatedBytes >> 20,
                refreshes > 0 ? String.format(", %d KB per refresh", (allocatedBytes / refreshes) >> 10) : "");
        print(allocated, allocatedBytes, 0, "");
        System.out.println("  top allocation sites:");
        print(allocationSites, allocatedBytes, 6, "  ");
        System.out.printf(
                "exceptions thrown: %d%s (settings=profile records at most 300 a second: a lower bound)%n",
                exceptionCount,
                refreshes > 0 ? String.format(" (%.2f per refresh)", (double) exceptionCount / refreshes) : "");
        print(exceptions, exceptionCount, 6, "");
        System.out.println("request threads waiting (parked, monitor, socket read; events above the threshold):");
        waits.entrySet().stream()
                .sorted(Map.Entry.<String, Duration>comparingByValue().reversed())
                .limit(8)
                .forEach(entry ->
                        System.out.printf("  %8d ms  %s%n", entry.getValue().toMillis(), entry.getKey()));
        System.out.printf("collections: %d, pauses %d ms in all%n", gcCount, gcPauses.toMillis());
        if (cpuReadings > 0) {
            System.out.printf(
                    "CPU (share of the whole machine, average): this JVM %.0f %%, machine %.0f %%%n",
                    100 * jvm / cpuReadings, 100 * machine / cpuReadings);
        }
    }

    private static void print(Map<String, Long> counts, long total, int limit, String indent) {
        counts.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .limit(limit > 0 ? limit : Long.MAX_VALUE)
                .forEach(entry -> System.out.printf(
                        "%s  %5.1f %%  %s%n", indent, 100.0 * entry.getValue() / Math.max(1, total), entry.getKey()));
    }

    private static String step(@Nullable RecordedStackTrace stack) {
        if (stack == null) {
            return "no stack";
        }
        for (String[] rule : RULES) {
            for (RecordedFrame frame : stack.getFrames()) {
                if (matches(frame, rule[1], rule[2])) {
                    return rule[0];
                }
            }
        }
        return "other";
    }

    private static boolean within(@Nullable RecordedStackTrace stack, String type) {
        return stack != null && stack.getFrames().stream().anyMatch(frame -> matches(frame, type, ""));
    }

    private static boolean matches(RecordedFrame frame, String type, String method) {
        if (frame.getMethod() == null) {
            return false;
        }
        String name = frame.getMethod().getType().getName();
        boolean typeMatches = type.endsWith(".") ? name.startsWith(type) : name.equals(type);
        return typeMatches
                && (method.isEmpty() || method.equals(frame.getMethod().getName()));
    }

    /** The allocating method and its caller. */
    private static String top(@Nullable RecordedStackTrace stack) {
        if (stack == null || stack.getFrames().isEmpty()) {
            return "no stack";
        }
        List<String> names = stack.getFrames().stream()
                .limit(2)
                .map(frame -> frame.getMethod() == null
                        ? "?"
                        : simple(frame.getMethod().getType().getName()) + "."
                                + frame.getMethod().getName())
                .toList();
        return String.join(" < ", names);
    }

    private static String simple(String type) {
        return type.substring(type.lastIndexOf('.') + 1);
    }
}
