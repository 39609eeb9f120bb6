package io.speedling.virt.internal;

import io.speedling.virt.VirtException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Runs host programs: arguments as a list (never through a shell), output read line by line
 * into an optional sink, and a failure that quotes the command and the last lines it printed.
 */
public final class Exec {
    private static final int TAIL_LINES = 30;

    private final List<String> command;
    private Consumer<String> lines = line -> { };
    private byte[] stdin;
    private Map<String, String> env = Map.of();
    private Consumer<Process> onStart = p -> { };
    private java.time.Duration timeout = DEFAULT_TIMEOUT;
    /** The limit of a host command that sets none: far above the slowest image layer seen (a few minutes). */
    public static final java.time.Duration DEFAULT_TIMEOUT = java.time.Duration.ofMinutes(30);
    private static final java.util.concurrent.ScheduledExecutorService WATCHDOG =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "speedling-exec-watchdog");
                t.setDaemon(true);
                return t;
            });

    private Exec(List<String> command) {
        this.command = List.copyOf(command);
    }

    public static Exec of(String... command) {
        return new Exec(List.of(command));
    }

    public static Exec of(List<String> command) {
        return new Exec(command);
    }

    /** Every line of stdout and stderr, as it arrives. */
    public Exec lines(Consumer<String> sink) {
        this.lines = sink;
        return this;
    }

    public Exec stdin(byte[] bytes) {
        this.stdin = bytes;
        return this;
    }

    public Exec stdin(String text) {
        return stdin(text.getBytes(StandardCharsets.UTF_8));
    }

    public Exec env(Map<String, String> extra) {
        this.env = Map.copyOf(extra);
        return this;
    }

    /** The command and what it started are killed when it runs longer than {@code limit} (default 30 min). */
    public Exec timeout(java.time.Duration limit) {
        this.timeout = java.util.Objects.requireNonNull(limit);
        return this;
    }

    /** Called with the process once it runs (to record its PID). */
    public Exec onStart(Consumer<Process> hook) {
        this.onStart = hook;
        return this;
    }

    /** Runs to the end; throws {@link VirtException} with the output's tail on a non-zero exit. */
    public String run() {
        Result r = runAllowingFailure();
        if (r.exitCode() != 0) {
            throw new VirtException(describe() + " failed with exit code " + r.exitCode()
                    + (r.output().isBlank() ? "" : ":\n" + r.tail()));
        }
        return r.output();
    }

    /** Runs to the end and returns the exit code with the output, whatever the exit code. */
    public Result runAllowingFailure() {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(env);
        if (stdin == null) {
            pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        }
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new VirtException("cannot run " + command.get(0) + ": " + e.getMessage(), e);
        }
        java.util.concurrent.atomic.AtomicBoolean overdue = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.ScheduledFuture<?> watchdog = WATCHDOG.schedule(() -> {
            overdue.set(true);
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }, timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        StringBuilder all = new StringBuilder();
        Deque<String> tail = new ArrayDeque<>();
        try {
            onStart.accept(p);
            if (stdin != null) {
                Thread feeder = new Thread(() -> {
                    try (OutputStream o = p.getOutputStream()) {
                        o.write(stdin);
                    } catch (IOException ignored) {
                        // the program exited without reading all of it; its exit code tells
                    }
                }, "exec-stdin");
                feeder.setDaemon(true);
                feeder.start();
            }
            try (InputStream in = p.getInputStream();
                 BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    all.append(line).append('\n');
                    tail.addLast(line);
                    if (tail.size() > TAIL_LINES) {
                        tail.removeFirst();
                    }
                    lines.accept(line);
                }
            }
            int code = p.waitFor();
            if (overdue.get()) {
                throw overdue(tail);
            }
            return new Result(code, all.toString(), String.join("\n", tail));
        } catch (IOException e) {
            if (overdue.get()) {
                throw overdue(tail);  // killing it closed the stream under the reader
            }
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new VirtException(describe() + " was interrupted", e);
        } finally {
            watchdog.cancel(false);
            if (p.isAlive()) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
        }
    }

    private VirtException overdue(Deque<String> tail) {
        String limit = timeout.toMillis() < 10_000 ? timeout.toMillis() + " ms" : timeout.toSeconds() + " s";
        return new VirtException(describe() + " did not finish within " + limit + "; it and what it started were "
                + "killed. Its last lines:\n" + String.join("\n", tail));
    }

    public String describe() {
        List<String> shown = new ArrayList<>();
        for (String a : command) {
            shown.add(a.length() > 200 ? a.substring(0, 200) + "..." : a);
        }
        return "'" + String.join(" ", shown) + "'";
    }

    public record Result(int exitCode, String output, String tail) {
    }
}
