package io.speedling.core.internal.agent;

import io.speedling.core.FileSpec;
import io.speedling.core.RemoteFunction;
import io.speedling.core.SpeedlingException;
import io.speedling.core.internal.AtomicFile;
import io.speedling.core.internal.ExecContext;
import io.speedling.core.internal.Frames;
import io.speedling.core.internal.Frames.Frame;
import io.speedling.core.internal.PlainJson;
import io.speedling.core.internal.Json;
import io.speedling.core.internal.Threads;
import io.speedling.core.internal.Wire;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.channels.ReadableByteChannel;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.LoggerFactory;

/**
 * The agent: started on a node over SSH, it reads frames from stdin, runs remote
 * functions concurrently (those that were quick last time on the thread that read
 * them), and writes results, log records and heartbeats to stdout.
 * Standard output belongs to the protocol, so {@code System.out} is redirected to
 * stderr, which the controller logs.
 */
public final class AgentMain {
    private final FrameInput in;
    private final Frames.Writer out;
    private final ExecutorService calls = Threads.cached("call");
    private final Map<Long, Future<?>> running = new ConcurrentHashMap<>();
    private final Map<Long, AtomicFile> streams = new ConcurrentHashMap<>();
    private final Map<String, Class<?>> types = new ConcurrentHashMap<>();
    /**
     * Function types whose last run took less than {@link #QUICK_NANOS}: their calls run on the thread that
     * read them, without waking a pool thread (a third of an agent's CPU per call went to that hand-off).
     */
    private final java.util.Set<String> quick = ConcurrentHashMap.newKeySet();
    /** The call the reading thread is running itself, if any; the heartbeat's tick takes the reading over from one that lasts. */
    private final AtomicReference<Inline> inline = new AtomicReference<>();
    /** The protocol's end: 0 when the controller closed, or what broke the reading. */
    private final CompletableFuture<Integer> finished = new CompletableFuture<>();
    static final long QUICK_NANOS = TimeUnit.MILLISECONDS.toNanos(2);
    /** A call run by the reading thread that lasts longer than this gets another thread to read the frames behind it. */
    static final long TAKEOVER_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final byte[] NO_BYTES = new byte[0];
    private volatile long lastHeard = System.nanoTime();
    private ExecContext context;

    AgentMain(ReadableByteChannel in, Frames.Writer out) {
        this.in = new FrameInput(in);
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("--warmup")) {
            Warmup.run();
            return;
        }
        FileOutputStream frames = new FileOutputStream(FileDescriptor.out);
        System.setOut(System.err);
        // a file channel closes when a thread blocked in it is interrupted: nothing interrupts a thread while it
        // reads (a cancelled call's interrupt is cleared before its thread reads again, see call())
        ReadableByteChannel in = new FileInputStream(FileDescriptor.in).getChannel();
        Frames.Writer out = new Frames.Writer(new BufferedOutputStream(frames, 1 << 16));
        int status = new AgentMain(in, out).serve();
        System.exit(status);
    }

    /** Serves until the controller closes; returns the exit status. */
    int serve() throws IOException {
        Frame first = in.next() ? in.frame() : null;
        if (first == null || first.type() != Frames.INIT) {
            System.err.println("speedling agent: expected INIT from the controller, got "
                    + (first == null ? "end of input" : "frame type " + first.type()));
            return 2;
        }
        // plain JSON leaves the mapper unbuilt: it is built only when a value that is not plain comes
        Wire.Init init = read(first.payload(), 0, first.payload().length, Wire.Init.class);
        AgentLogging.threshold = init.logLevel();
        AgentLogging.sink = this::sendLog;
        context = new ExecContext(init.node(), init.roles(), init.data(), AgentMain::agentLogger);
        // the runtime's version as the JVM states it (Runtime.version() parses and reformats it through streams)
        out.write(Frames.HELLO, 0, json(new Wire.Hello(ProcessHandle.current().pid(),
                System.getProperty("user.name"), System.getProperty("java.runtime.version"), hostname())));
        ScheduledExecutorService beat = Threads.scheduler("heartbeat");
        long hb = init.heartbeatMillis();
        long timeoutNanos = TimeUnit.MILLISECONDS.toNanos(init.timeoutMillis());
        beat.scheduleAtFixedRate(() -> {
            takeOverReadingFromALastingCall();
            if (System.nanoTime() - lastHeard > timeoutNanos) {
                System.err.println("speedling agent: no word from the controller for "
                        + init.timeoutMillis() + " ms; exiting");
                stopAll();
                Runtime.getRuntime().halt(3);
            }
            try {
                out.write(Frames.HEARTBEAT, 0);
            } catch (IOException e) {
                stopAll();
                Runtime.getRuntime().halt(4);
            }
        }, hb, hb, TimeUnit.MILLISECONDS);
        readFrames();
        try {
            return finished.get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        } finally {
            beat.shutdownNow();
            calls.shutdown();
        }
    }

    /**
     * Reads and handles frames until the protocol ends, or until this thread has run a call itself for so
     * long that another thread took the reading over.
     */
    private void readFrames() {
        try {
            while (true) {
                boolean more = in.next();
                lastHeard = System.nanoTime();
                if (!more || in.type() == Frames.CLOSE) {
                    stopAll();
                    finished.complete(0);
                    return;
                }
                if (in.type() == Frames.STREAM_CHUNK) {
                    streamChunk(in.id());
                    continue;
                }
                Frame f = in.frame();
                switch (f.type()) {
                    case Frames.CALL -> {
                        if (!call(f)) {
                            return;
                        }
                    }
                    case Frames.CANCEL -> cancel(f.id());
                    case Frames.STREAM_OPEN -> streamOpen(f);
                    case Frames.STREAM_END -> streamEnd(f);
                    case Frames.HEARTBEAT -> { }
                    default -> System.err.println("speedling agent: ignoring unknown frame type " + f.type());
                }
            }
        } catch (IOException | RuntimeException e) {
            finished.completeExceptionally(e);
        }
    }

    /** One call the reading thread runs itself; its identity tells whose it is. */
    private static final class Inline {
        final long start = System.nanoTime();
    }

    /** Called on the heartbeat's tick: a call the reading thread has run too long gets a new reader beside it. */
    private void takeOverReadingFromALastingCall() {
        Inline i = inline.get();
        if (i != null && System.nanoTime() - i.start > TAKEOVER_NANOS && inline.compareAndSet(i, null)) {
            calls.execute(this::readFrames);
        }
    }

    /** The controller is gone or done: nothing it started may run on unattended. */
    private void stopAll() {
        streams.values().forEach(AtomicFile::abort);
        ExecContext c = context;
        int killed = c == null ? 0 : c.killRunning();
        if (killed > 0) {
            System.err.println("speedling agent: the controller went away; stopped " + killed
                    + " command(s) it had started");
        }
    }

    /**
     * Runs a call: on a pool thread, or on this reading thread when its type was quick last time.
     * Returns false when this thread is no longer the reader (another took over while it ran the call).
     */
    private boolean call(Frame f) {
        long id = f.id();
        byte[] payload = f.payload();
        String typeName = Frames.callType(payload);
        FutureTask<Void> task = new FutureTask<>(() -> run(id, typeName, payload), null);
        running.put(id, task);
        if (!quick.contains(typeName)) {
            calls.execute(task);
            return true;
        }
        Inline mine = new Inline();
        inline.set(mine);
        task.run();
        // a cancel delivers its interrupt before run() returns: none may reach this thread's next read or wait
        Thread.interrupted();
        return inline.compareAndSet(mine, null);
    }

    private void run(long id, String typeName, byte[] payload) {
        long t0 = System.nanoTime();
        try {
            RemoteFunction<?> fn = decode(typeName, payload);
            Object result = fn.run(context);
            byte[] json = json(result);
            if (!Frames.fits(json.length)) {
                throw new SpeedlingException("the result of " + fn.getClass().getSimpleName() + " cannot be sent "
                        + "back: " + Frames.tooLarge(json.length));
            }
            reply(Frames.RESULT, id, json);
        } catch (Throwable t) {
            replyError(id, t);
        } finally {
            running.remove(id);
            if (System.nanoTime() - t0 < QUICK_NANOS) {
                quick.add(typeName);
            } else {
                quick.remove(typeName);
            }
        }
    }

    private RemoteFunction<?> decode(String typeName, byte[] payload) throws IOException {
        Class<?> type = types.computeIfAbsent(typeName, AgentMain::allowedType);
        int off = Frames.callJsonOffset(payload);
        return (RemoteFunction<?>) read(payload, off, payload.length - off, type);
    }

    /** JSON read as {@code type}: plain values without the mapper, the rest with it. */
    @SuppressWarnings("unchecked")
    private static <T> T read(byte[] json, int off, int len, Class<T> type) throws IOException {
        Object v = PlainJson.read(json, off, len, type);
        return (T) (v != PlainJson.NOT_PLAIN ? v : Json.MAPPER.readValue(json, off, len, type));
    }

    /** A value as JSON: plain values without the mapper, the rest with it. */
    private static byte[] json(Object value) throws IOException {
        byte[] plain = PlainJson.write(value);
        return plain != null ? plain : Json.MAPPER.writeValueAsBytes(value);
    }

    /** Only implementations of RemoteFunction found on the shipped class path may be instantiated. */
    private static Class<?> allowedType(String name) {
        Class<?> c;
        try {
            c = Class.forName(name, false, AgentMain.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalArgumentException("remote function type " + name
                    + " is not on this agent's class path; ship its jar or class directory with Fleet.builder().ship(...)");
        }
        if (!RemoteFunction.class.isAssignableFrom(c)) {
            throw new IllegalArgumentException(name + " does not implement RemoteFunction; refusing to instantiate it");
        }
        return c;
    }

    private void cancel(long id) {
        Future<?> fut = running.remove(id);
        if (fut != null) {
            fut.cancel(true);
        }
        AtomicFile s = streams.remove(id);
        if (s != null) {
            s.abort();
        }
    }

    private void streamOpen(Frame f) {
        try {
            Wire.StreamOpen o = read(f.payload(), 0, f.payload().length, Wire.StreamOpen.class);
            streams.put(f.id(), new AtomicFile(o.path(), new FileSpec(o.owner(), o.group(), o.mode())));
        } catch (Throwable t) {
            replyError(f.id(), t);
        }
    }

    /** Writes a chunk's payload to its file straight from the reading buffer. */
    private void streamChunk(long id) throws IOException {
        AtomicFile s = streams.get(id);
        if (s == null) {
            in.payloadTo(null);  // failed or cancelled already: its error was sent
            return;
        }
        Exception failed = in.payloadTo(s::write);
        if (failed == null) {
            // the controller sends the next chunks only as this one is written (see AgentNode.STREAM_WINDOW)
            reply(Frames.STREAM_ACK, id, NO_BYTES);
        } else {
            streams.remove(id);
            s.abort();
            replyError(id, failed);
        }
    }

    private void streamEnd(Frame f) {
        AtomicFile s = streams.remove(f.id());
        if (s == null) {
            return;
        }
        try {
            long n = s.commit();
            reply(Frames.RESULT, f.id(), Long.toString(n).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        } catch (Throwable t) {
            replyError(f.id(), t);
        }
    }

    private void replyError(long id, Throwable t) {
        try {
            reply(Frames.ERROR, id, json(Wire.Failure.of(t)));
        } catch (IOException e) {
            System.err.println("speedling agent: cannot report failure of call " + id + ": " + e);
        }
    }

    private void reply(byte type, long id, byte[] payload) {
        try {
            out.write(type, id, payload);
        } catch (IOException e) {
            // stdout is gone: the controller is gone; nothing left to serve
            stopAll();
            Runtime.getRuntime().halt(4);
        }
    }

    private void sendLog(Wire.Log rec) {
        try {
            out.write(Frames.LOG, 0, json(rec));
        } catch (IOException e) {
            System.err.println(rec.logger() + ": " + rec.message());
        }
    }

    private static org.slf4j.Logger agentLogger() {
        return LoggerFactory.getLogger("speedling.agent");
    }

    /** The node's host name: the kernel's, as {@code hostname} prints it; the resolver's where there is no /proc. */
    static String hostname() {
        try {
            String name;
            try (FileInputStream in = new FileInputStream("/proc/sys/kernel/hostname")) {
                name = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).trim();
            }
            if (!name.isEmpty()) {
                return name;
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or no /proc: ask the resolver
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown";
        }
    }
}
