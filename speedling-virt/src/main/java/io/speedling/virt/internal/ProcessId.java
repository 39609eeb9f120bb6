package io.speedling.virt.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A process named by PID and start time (field 22 of /proc/PID/stat), so a recorded process is
 * never confused with a later one that reuses its PID. Processes are only ever signalled this way.
 */
public record ProcessId(long pid, long startTime) {

    public static Optional<ProcessId> of(long pid) {
        return startTimeOf(pid).map(t -> new ProcessId(pid, t));
    }

    public static ProcessId parse(String s) {
        String[] f = s.trim().split("[ @]");
        return new ProcessId(Long.parseLong(f[0]), Long.parseLong(f[1]));
    }

    @Override
    public String toString() {
        return pid + "@" + startTime;
    }

    /** True while the very process that was recorded still runs. */
    public boolean alive() {
        return startTimeOf(pid).map(t -> t == startTime).orElse(false);
    }

    /** Sends {@code signal} (like "KILL" or "TERM") if it is still the recorded process. */
    public boolean signal(String signal) {
        if (!alive()) {
            return false;
        }
        return Exec.of("kill", "-s", signal, Long.toString(pid)).runAllowingFailure().exitCode() == 0;
    }

    /** Waits up to {@code millis} for the process to end; true if it did. */
    public boolean awaitExit(long millis) {
        long end = System.nanoTime() + millis * 1_000_000;
        while (alive()) {
            if (System.nanoTime() > end) {
                return false;
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return !alive();
            }
        }
        return true;
    }

    /**
     * Processes whose program's name ends with {@code program} and one of whose arguments matches
     * {@code argument} (read from /proc/PID/cmdline), e.g. systemd-nspawn with a given machine name.
     */
    public static List<ProcessId> withArgument(java.util.function.Predicate<String> argument, String program) {
        List<ProcessId> out = new ArrayList<>();
        try (var dirs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path d : dirs) {
                try {
                    String[] argv = new String(Files.readAllBytes(d.resolve("cmdline")),
                            java.nio.charset.StandardCharsets.UTF_8).split("\0");
                    // setsid execs nspawn in place; a launcher may still show as argv[0] = setsid for a moment
                    boolean isProgram = false;
                    boolean matches = false;
                    for (String a : argv) {
                        isProgram |= a.equals(program) || a.endsWith("/" + program);
                        matches |= argument.test(a);
                    }
                    if (isProgram && matches) {
                        of(Long.parseLong(d.getFileName().toString())).ifPresent(out::add);
                    }
                } catch (IOException | RuntimeException e) {
                    // gone meanwhile, or a kernel thread
                }
            }
        } catch (IOException e) {
            return out;
        }
        return out;
    }

    /** The processes whose parent is this one. */
    public List<ProcessId> children() {
        List<ProcessId> out = new ArrayList<>();
        try (var dirs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path d : dirs) {
                String[] f = stat(d.resolve("stat"));
                if (f != null && Long.parseLong(f[1]) == pid) {
                    out.add(new ProcessId(Long.parseLong(d.getFileName().toString()), Long.parseLong(f[19])));
                }
            }
        } catch (IOException e) {
            return out;
        }
        return out;
    }

    private static Optional<Long> startTimeOf(long pid) {
        String[] f = stat(Path.of("/proc", Long.toString(pid), "stat"));
        if (f == null) {
            return Optional.empty();
        }
        // fields after the command: f[0] is state (field 3), so start time (field 22) is f[19]
        if (f[0].equals("Z") || f[0].equals("X")) {
            return Optional.empty();
        }
        return Optional.of(Long.parseLong(f[19]));
    }

    /** The fields after "(comm)" in /proc/PID/stat, or null if the process is gone. */
    private static String[] stat(Path file) {
        try {
            String s = Files.readString(file);
            int close = s.lastIndexOf(')');
            return s.substring(close + 2).split(" ");
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
