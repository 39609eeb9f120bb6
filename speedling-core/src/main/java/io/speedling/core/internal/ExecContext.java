package io.speedling.core.internal;

import io.speedling.core.Cmd;
import io.speedling.core.CommandResult;
import io.speedling.core.FileSpec;
import io.speedling.core.NodeContext;
import io.speedling.core.SpeedlingException;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;

/** The {@link NodeContext} of the agent and of local nodes: runs things on this machine. */
public final class ExecContext implements NodeContext {
    private static final ExecutorService IO = Threads.cached("speedling-proc-io");

    private final String node;
    private final Set<String> roles;
    private final Map<String, Object> data;
    private final java.util.function.Supplier<Logger> logSource;
    private volatile Logger log;
    /** Commands running now, so the agent can stop them all when its controller goes away. */
    private final Set<Process> live = java.util.concurrent.ConcurrentHashMap.newKeySet();

    public ExecContext(String node, Set<String> roles, Map<String, Object> data, Logger log) {
        this(node, roles, data, () -> log);
    }

    /**
     * A context whose logger is made on first use: setting up an agent's logging provider took
     * ~5 ms of CPU of its start (measured 2026-12-04), and many agents serve no call that logs.
     */
    public ExecContext(String node, Set<String> roles, Map<String, Object> data,
            java.util.function.Supplier<Logger> logSource) {
        this.node = node;
        this.roles = Set.copyOf(roles);
        this.data = data == null ? Map.of() : java.util.Collections.unmodifiableMap(data);
        this.logSource = logSource;
    }

    @Override
    public String nodeName() {
        return node;
    }

    @Override
    public Set<String> roles() {
        return roles;
    }

    @Override
    public Map<String, Object> data() {
        return data;
    }

    @Override
    public Logger log() {
        Logger l = log;
        if (l == null) {
            l = logSource.get();
            log = l;
        }
        return l;
    }

    /** Output kept per stream of one command; beyond it the oldest bytes are dropped (the end tells most). */
    static final int OUTPUT_LIMIT = 8 * 1024 * 1024;
    /** How long output may stay open after the command exited when it has no time limit of its own. */
    static final long LINGER_MILLIS = 10_000;
    private static final String SETSID = "/usr/bin/setsid";
    private static final boolean HAVE_SETSID = new File(SETSID).canExecute();

    /**
     * Runs the command in a session of its own (setsid), so a time limit or a cancel kills the
     * command and everything it started, background children included; a command that exited
     * while a child still holds its output open fails after {@link #LINGER_MILLIS} (or at its
     * limit) with that child killed, instead of waiting for good.
     */
    @Override
    public CommandResult run(Cmd cmd) {
        java.util.List<String> argv = new java.util.ArrayList<>();
        if (HAVE_SETSID) {
            argv.add(SETSID);  // not a group leader under Java: setsid execs in place, pid = session id
        }
        argv.addAll(cmd.argv());
        ProcessBuilder pb = new ProcessBuilder(argv);
        if (cmd.cwd() != null) {
            pb.directory(new File(cmd.cwd()));
        }
        pb.environment().putAll(cmd.env());
        if (cmd.stdin() == null) {
            pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        }
        long deadline = cmd.timeout() == null ? Long.MAX_VALUE : System.nanoTime() + cmd.timeout().toNanos();
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new SpeedlingException("cannot start " + cmd.argv() + " on node " + node + ": " + e.getMessage()
                    + " (is the program installed and on the PATH?)", e);
        }
        live.add(p);
        try {
            return await(cmd, p, deadline);
        } finally {
            live.remove(p);
        }
    }

    /**
     * Kills every command running now with everything it started (the agent's controller went
     * away: nothing it asked for may go on by itself). Returns how many there were.
     */
    public int killRunning() {
        int n = 0;
        for (Process p : List.copyOf(live)) {
            killSession(p);
            n++;
        }
        return n;
    }

    private CommandResult await(Cmd cmd, Process p, long deadline) {
        // the readers start first and hold their stream's lock from their first read to the end: when the
        // command exits, the JDK's process reaper takes that lock to read what is buffered and close the
        // pipe, after which a reader sees the end at once, though a background child still holds the pipe
        // open, so the check below for such a child did not fire when the reaper got the lock between two
        // reads. A command that exits before its reader's first read still wins that race: narrowed, not closed
        Future<byte[]> out = IO.submit(() -> readWhole(p.getInputStream()));
        Future<byte[]> err = IO.submit(() -> readWhole(p.getErrorStream()));
        Future<?> in = cmd.stdin() == null ? null : IO.submit(() -> {
            try (OutputStream o = p.getOutputStream()) {
                o.write(cmd.stdin());
            }
            return null;
        });
        try {
            if (!p.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                killSession(p);
                throw new SpeedlingException("command " + cmd.argv() + " on node " + node + " did not finish within "
                        + cmd.timeout() + "; it and what it started were killed");
            }
            long linger = cmd.timeout() == null ? System.nanoTime() + LINGER_MILLIS * 1_000_000 : deadline;
            byte[] o;
            byte[] e;
            try {
                o = out.get(Math.max(0, linger - System.nanoTime()), TimeUnit.NANOSECONDS);
                e = err.get(Math.max(0, linger - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.TimeoutException t) {
                killSession(p);
                throw new SpeedlingException("command " + cmd.argv() + " on node " + node + " exited with "
                        + p.exitValue() + " but left a background process holding its output open; it was killed. "
                        + "Redirect a background process's output (> /dev/null 2>&1) or run it as a systemd unit");
            }
            if (in != null) {
                in.get();
            }
            return new CommandResult(cmd.argv(), p.exitValue(), utf8(o), utf8(e));
        } catch (InterruptedException e) {
            killSession(p);
            Thread.currentThread().interrupt();
            throw new SpeedlingException("command " + cmd.argv() + " on node " + node + " was cancelled; it and what "
                    + "it started were killed", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new SpeedlingException("I/O with " + cmd.argv() + " on node " + node + " failed: "
                    + e.getCause().getMessage(), e.getCause());
        }
    }

    /** Kills the command's session (its process group, background children included) and its descendants. */
    private static void killSession(Process p) {
        if (HAVE_SETSID) {
            // twice: a process forking while the first sweep runs is caught by the second
            for (int sweep = 0; sweep < 2; sweep++) {
                sessionMembers(p.pid()).forEach(ProcessHandle::destroyForcibly);
            }
        }
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
    }

    /** The processes whose session id is {@code sid} (from /proc/PID/stat: children that left the group stay in it). */
    static java.util.List<ProcessHandle> sessionMembers(long sid) {
        java.util.List<ProcessHandle> out = new java.util.ArrayList<>();
        File[] procs = new File("/proc").listFiles((d, name) -> name.chars().allMatch(Character::isDigit));
        for (File f : procs == null ? new File[0] : procs) {
            try {
                String stat = Files.readString(f.toPath().resolve("stat"));
                // pid (comm) state ppid pgrp session ...; comm may hold spaces and parentheses
                String[] after = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                if (after.length > 3 && Long.parseLong(after[3]) == sid) {
                    ProcessHandle.of(Long.parseLong(f.getName())).ifPresent(out::add);
                }
            } catch (IOException | RuntimeException e) {
                // gone meanwhile
            }
        }
        return out;
    }

    /** {@link #readBounded} holding the stream's lock throughout (see {@link #await}). */
    private static byte[] readWhole(InputStream in) throws IOException {
        synchronized (in) {
            return readBounded(in);
        }
    }

    /** All of a stream, keeping at most {@link #OUTPUT_LIMIT} bytes: the last ones, after a note of what was dropped. */
    static byte[] readBounded(InputStream in) throws IOException {
        java.util.ArrayDeque<byte[]> chunks = new java.util.ArrayDeque<>();
        long kept = 0;
        long dropped = 0;
        byte[] buf = new byte[65536];
        int n;
        while ((n = in.read(buf)) > 0) {
            chunks.addLast(java.util.Arrays.copyOf(buf, n));
            kept += n;
            while (kept - chunks.peekFirst().length >= OUTPUT_LIMIT) {
                byte[] first = chunks.removeFirst();
                kept -= first.length;
                dropped += first.length;
            }
        }
        ByteArrayOutputStream b = new ByteArrayOutputStream((int) Math.min(kept + 100, Integer.MAX_VALUE));
        if (dropped > 0) {
            b.writeBytes(("[speedling: the first " + dropped + " bytes of this output were dropped; "
                    + "the last " + kept + " follow]\n").getBytes(StandardCharsets.UTF_8));
        }
        chunks.forEach(b::writeBytes);
        return b.toByteArray();
    }

    private static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    @Override
    public boolean writeFile(String path, byte[] content, FileSpec spec) {
        return AtomicFile.write(path, content, spec == null ? FileSpec.DEFAULT : spec);
    }

    @Override
    public byte[] readFile(String path) {
        try {
            long size = Files.size(Path.of(path));
            if (size > Frames.MAX_FRAME / 2) {
                throw new SpeedlingException("file " + path + " on node " + node + " is too large to read in one call: "
                        + Frames.tooLarge(size));
            }
            return Files.readAllBytes(Path.of(path));
        } catch (NoSuchFileException e) {
            throw new SpeedlingException("file " + path + " does not exist on node " + node);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path + " on node " + node + ": " + e.getMessage(), e);
        }
    }
}
