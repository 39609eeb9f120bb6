package io.speedling.core.internal;

import com.fasterxml.jackson.databind.JavaType;
import io.speedling.core.FileSpec;
import io.speedling.core.Node;
import io.speedling.core.NodeLostException;
import io.speedling.core.NodeSpec;
import io.speedling.core.RemoteCallException;
import io.speedling.core.RemoteFunction;
import io.speedling.core.SpeedlingException;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/**
 * A node served by an agent over one long-lived channel. Calls are framed and
 * written under one lock, results are matched by id on a reader thread, and a
 * watchdog fails every call in flight when the agent goes silent.
 */
public final class AgentNode implements Node, UploadTarget {
    private static final ScheduledExecutorService TIMER = Threads.scheduler("speedling-heartbeat");
    private static final java.util.concurrent.ExecutorService BEATS = Threads.cached("speedling-beat");
    /**
     * Chunks of one stream in flight before the agent acknowledges one as written. Without a bound
     * the sender fills the SSH channel's whole window (2 MiB in OpenSSH), which sshd holds in a buffer
     * that it grows 32 KiB at a time by copying it whole: with many nodes streaming at once, sshd's
     * copies took more CPU than the data itself.
     */
    static final int STREAM_WINDOW = 2;

    private final NodeSpec spec;
    private final Logger log;
    private final Frames.Writer out;
    private final DataInputStream in;
    private final Runnable disconnect;
    private final AgentPayload payload;
    private final Wire.Hello hello;
    private final Map<Long, Pending<?>> pending = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final long timeoutNanos;
    private final ScheduledFuture<?> beat;
    private final java.util.function.Supplier<String> diagnostics;
    private volatile long lastHeard = System.nanoTime();
    private volatile SpeedlingException lost;

    /** A call or stream waiting for its answer. */
    private static class Pending<T> extends CompletableFuture<T> {
        final String what;
        final JavaType type;
        final AgentNode node;
        final long id;

        Pending(AgentNode node, long id, String what, JavaType type) {
            this.node = node;
            this.id = id;
            this.what = what;
            this.type = type;
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            boolean c = super.cancel(mayInterruptIfRunning);
            if (c && node.pending.remove(id) != null) {
                node.sendQuietly(Frames.CANCEL, id);
            }
            return c;
        }
    }

    /** A stream waiting for its end, with the chunks it may still send before the agent acknowledges one. */
    private static final class StreamPending extends Pending<Long> {
        final java.util.concurrent.Semaphore window = new java.util.concurrent.Semaphore(STREAM_WINDOW);

        StreamPending(AgentNode node, long id, String what) {
            super(node, id, what, null);
        }
    }

    AgentNode(NodeSpec spec, Frames.Writer out, DataInputStream in, Wire.Hello hello, AgentOptions options,
            Runnable disconnect, java.util.function.Supplier<String> diagnostics) {
        this.spec = spec;
        this.log = NodeLog.of(spec.name());
        this.out = out;
        this.in = in;
        this.hello = hello;
        this.payload = options.payload();
        this.disconnect = disconnect;
        this.diagnostics = diagnostics;
        this.timeoutNanos = options.heartbeatTimeout().toNanos();
        Threads.start("speedling-read-" + spec.name(), this::readLoop);
        long hb = options.heartbeat().toMillis();
        this.beat = TIMER.scheduleAtFixedRate(this::heartbeat, hb, hb, TimeUnit.MILLISECONDS);
    }

    @Override
    public String name() {
        return spec.name();
    }

    @Override
    public Set<String> roles() {
        return spec.roles();
    }

    @Override
    public Map<String, Object> data() {
        return spec.data();
    }

    /** The agent's process id on the node. */
    public long agentPid() {
        return hello.pid();
    }

    @Override
    public boolean isAlive() {
        return lost == null;
    }

    @Override
    public <R> CompletableFuture<R> submit(RemoteFunction<R> function) {
        Class<?> type = function.getClass();
        String what = type.getSimpleName();
        if (!payload.ships(type)) {
            return CompletableFuture.failedFuture(new SpeedlingException("node " + name() + ": " + type.getName()
                    + " is not on the agent's class path; ship it with Fleet.builder().ship(" + type.getSimpleName()
                    + ".class)"));
        }
        byte[] body;
        JavaType resultType;
        try {
            resultType = Json.resultType(type);
            body = Frames.callPayload(type.getName(), Json.MAPPER.writeValueAsBytes(function));
        } catch (IOException | RuntimeException e) {
            return CompletableFuture.failedFuture(new SpeedlingException("node " + name() + ": cannot send "
                    + type.getName() + " as JSON: " + e.getMessage(), e));
        }
        if (!Frames.fits(body.length)) {
            return CompletableFuture.failedFuture(new SpeedlingException("node " + name() + ": cannot send "
                    + type.getSimpleName() + ": " + Frames.tooLarge(body.length)));
        }
        long id = ids.incrementAndGet();
        Pending<R> p = new Pending<>(this, id, what, resultType);
        send(p, Frames.CALL, body);
        return p;
    }

    private void send(Pending<?> p, byte type, byte[] body) {
        SpeedlingException gone = lost;
        if (gone != null) {
            p.completeExceptionally(gone);
            return;
        }
        pending.put(p.id, p);
        try {
            out.write(type, p.id, body);
        } catch (IOException e) {
            markLost("writing to the agent failed: " + e.getMessage(), e);
        }
        if (lost != null && pending.remove(p.id) != null) {
            p.completeExceptionally(lost);
        }
    }

    @Override
    public Upload openUpload(String path, FileSpec spec) {
        long id = ids.incrementAndGet();
        StreamPending done = new StreamPending(this, id, "stream to " + path);
        byte[] open;
        try {
            open = Json.MAPPER.writeValueAsBytes(new Wire.StreamOpen(path, spec.owner(), spec.group(), spec.mode()));
        } catch (IOException e) {
            throw new SpeedlingException("cannot encode stream header", e);
        }
        send(done, Frames.STREAM_OPEN, open);
        return new Upload() {
            @Override
            public void write(byte[] chunk) {
                try {
                    while (!done.window.tryAcquire(200, TimeUnit.MILLISECONDS)) {
                        if (done.isDone() || lost != null) {
                            break;
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new SpeedlingException("stream to " + path + " on " + name() + " interrupted", e);
                }
                if (done.isDone()) {
                    // the agent refused the file (bad path, no such owner): stop sending
                    throw Futuresx.cause(done);
                }
                if (lost != null) {
                    throw lost;
                }
                try {
                    out.write(Frames.STREAM_CHUNK, id, chunk);
                } catch (IOException e) {
                    markLost("streaming to the agent failed: " + e.getMessage(), e);
                    throw lost;
                }
            }

            @Override
            public CompletableFuture<Long> finish() {
                sendQuietly(Frames.STREAM_END, id);
                return done;
            }

            @Override
            public void abort() {
                if (pending.remove(id) != null) {
                    sendQuietly(Frames.CANCEL, id);
                }
            }
        };
    }

    private void sendQuietly(byte type, long id) {
        if (lost != null) {
            return;
        }
        try {
            out.write(type, id);
        } catch (IOException e) {
            markLost("writing to the agent failed: " + e.getMessage(), e);
        }
    }

    private void heartbeat() {
        if (lost != null) {
            return;
        }
        long silent = System.nanoTime() - lastHeard;
        if (silent > timeoutNanos) {
            markLost(String.format("no heartbeat from the agent for %.1f s", silent / 1e9), null);
            return;
        }
        // the write may block when the agent stopped reading; the watchdog check above runs regardless
        BEATS.execute(() -> sendQuietly(Frames.HEARTBEAT, 0));
    }

    private void readLoop() {
        try {
            while (true) {
                Frames.Frame f = Frames.read(in);
                if (f == null) {
                    markLost("the connection to the agent closed", null);
                    return;
                }
                lastHeard = System.nanoTime();
                switch (f.type()) {
                    case Frames.RESULT -> complete(f);
                    case Frames.ERROR -> fail(f);
                    case Frames.LOG -> NodeLog.forward(log, name(), Json.MAPPER.readValue(f.payload(), Wire.Log.class));
                    case Frames.HEARTBEAT -> { }
                    case Frames.STREAM_ACK -> {
                        if (pending.get(f.id()) instanceof StreamPending s) {
                            s.window.release();
                        }
                    }
                    default -> log.warn("[{}] ignoring unexpected frame type {}", name(), f.type());
                }
            }
        } catch (IOException | RuntimeException e) {
            markLost("reading from the agent failed: " + e.getMessage(), e);
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private void complete(Frames.Frame f) {
        Pending p = pending.remove(f.id());
        if (p == null) {
            return;
        }
        try {
            if (p.type == null) {
                p.complete(Long.parseLong(new String(f.payload(), StandardCharsets.US_ASCII)));
            } else {
                p.complete(Json.MAPPER.readValue(f.payload(), p.type));
            }
        } catch (IOException | RuntimeException e) {
            p.completeExceptionally(new SpeedlingException("node " + name() + ": the result of " + p.what
                    + " is not a valid " + p.type + ": " + e.getMessage(), e));
        }
    }

    private void fail(Frames.Frame f) throws IOException {
        Pending<?> p = pending.remove(f.id());
        if (p == null) {
            return;
        }
        Wire.Failure w = Json.MAPPER.readValue(f.payload(), Wire.Failure.class);
        p.completeExceptionally(new RemoteCallException(name(), p.what, w.type(), w.message(), w.stack()));
    }

    private void markLost(String why, Throwable cause) {
        synchronized (this) {
            if (lost != null) {
                return;
            }
            String diag = diagnostics.get();
            lost = new NodeLostException(name(), "node " + name() + " (" + spec.ssh() + ") lost: " + why
                    + (diag.isEmpty() ? "" : "\n" + diag), cause);
        }
        beat.cancel(false);
        int n = pending.size();
        for (Long id : new ArrayList<>(pending.keySet())) {
            Pending<?> p = pending.remove(id);
            if (p != null) {
                p.completeExceptionally(lost);
            }
        }
        if (n > 0) {
            log.error("[{}] {}; {} call(s) in flight failed", name(), lost.getMessage(), n);
        }
        Threads.start("speedling-disconnect-" + name(), disconnect);
    }

    @Override
    public void close() {
        if (lost != null) {
            return;
        }
        sendQuietly(Frames.CLOSE, 0);
        synchronized (this) {
            if (lost == null) {
                lost = new NodeLostException(name(), "node " + name() + " was closed", null);
            }
        }
        beat.cancel(false);
        for (Long id : new ArrayList<>(pending.keySet())) {
            Pending<?> p = pending.remove(id);
            if (p != null) {
                p.completeExceptionally(lost);
            }
        }
        out.close();
        disconnect.run();
    }

    @Override
    public String toString() {
        return "AgentNode[" + name() + " " + spec.ssh() + " pid=" + hello.pid() + "]";
    }

    /** Small helper kept here to avoid exposing it. */
    static final class Futuresx {
        private Futuresx() {
        }

        static RuntimeException cause(CompletableFuture<?> f) {
            try {
                f.join();
                return new SpeedlingException("stream ended early");
            } catch (java.util.concurrent.CompletionException e) {
                return io.speedling.core.Futures.unwrap(e);
            } catch (java.util.concurrent.CancellationException e) {
                return new SpeedlingException("stream cancelled", e);
            }
        }
    }
}
