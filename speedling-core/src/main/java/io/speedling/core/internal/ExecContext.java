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
    private final Logger log;

    public ExecContext(String node, Set<String> roles, Map<String, Object> data, Logger log) {
        this.node = node;
        this.roles = Set.copyOf(roles);
        this.data = data == null ? Map.of() : java.util.Collections.unmodifiableMap(data);
        this.log = log;
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
        return log;
    }

    @Override
    public CommandResult run(Cmd cmd) {
        ProcessBuilder pb = new ProcessBuilder(cmd.argv());
        if (cmd.cwd() != null) {
            pb.directory(new File(cmd.cwd()));
        }
        pb.environment().putAll(cmd.env());
        if (cmd.stdin() == null) {
            pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        }
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new SpeedlingException("cannot start " + cmd.argv() + " on node " + node + ": " + e.getMessage()
                    + " (is the program installed and on the PATH?)", e);
        }
        Future<byte[]> err = IO.submit(() -> readAll(p.getErrorStream()));
        Future<?> in = cmd.stdin() == null ? null : IO.submit(() -> {
            try (OutputStream o = p.getOutputStream()) {
                o.write(cmd.stdin());
            }
            return null;
        });
        try {
            Future<byte[]> out = IO.submit(() -> readAll(p.getInputStream()));
            boolean finished;
            if (cmd.timeout() == null) {
                p.waitFor();
                finished = true;
            } else {
                finished = p.waitFor(cmd.timeout().toMillis(), TimeUnit.MILLISECONDS);
            }
            if (!finished) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                throw new SpeedlingException("command " + cmd.argv() + " on node " + node + " did not finish within "
                        + cmd.timeout() + "; it was killed");
            }
            if (in != null) {
                in.get();
            }
            return new CommandResult(cmd.argv(), p.exitValue(), utf8(out.get()), utf8(err.get()));
        } catch (InterruptedException e) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new SpeedlingException("command " + cmd.argv() + " on node " + node + " was cancelled", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new SpeedlingException("I/O with " + cmd.argv() + " on node " + node + " failed: "
                    + e.getCause().getMessage(), e.getCause());
        }
    }

    private static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        in.transferTo(b);
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
            return Files.readAllBytes(Path.of(path));
        } catch (NoSuchFileException e) {
            throw new SpeedlingException("file " + path + " does not exist on node " + node);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path + " on node " + node + ": " + e.getMessage(), e);
        }
    }
}
