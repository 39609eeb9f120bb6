package io.speedling.core;

import io.speedling.core.internal.Threads;
import io.speedling.core.internal.Upload;
import io.speedling.core.internal.UploadTarget;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Several nodes addressed at once: one call fanned out to all of them, with the same
 * or per-node arguments, and one stream read once and written to all of them.
 *
 * <pre>{@code
 * NodeGroup controllers = fleet.withRole("controller");
 * Map<String, CommandResult> r = controllers.call(Sh.of("systemctl is-active mariadb"));
 * controllers.callEach(n -> WriteFile.text("/etc/app.conf", "listen " + n.data().get("mgmt_ip") + ":5000\n",
 *         FileSpec.mode(0644)));
 * controllers.send(StreamSource.of(Path.of("big.img")), "/srv/big.img", FileSpec.mode(0600));
 * }</pre>
 */
public final class NodeGroup {
    /** Size of one stream chunk: big enough for throughput, small enough to interleave calls. */
    static final int CHUNK = 256 * 1024;
    /** Chunks queued per node; bounds the memory a stream uses to nodes x QUEUE x CHUNK. */
    static final int QUEUE = 8;

    private final List<Node> nodes;

    private NodeGroup(List<Node> nodes) {
        this.nodes = List.copyOf(nodes);
    }

    public static NodeGroup of(Collection<? extends Node> nodes) {
        return new NodeGroup(new ArrayList<>(nodes));
    }

    public static NodeGroup of(Node... nodes) {
        return new NodeGroup(List.of(nodes));
    }

    public List<Node> nodes() {
        return nodes;
    }

    public List<String> names() {
        return nodes.stream().map(Node::name).toList();
    }

    public int size() {
        return nodes.size();
    }

    /** The same function on every node, without waiting. */
    public <R> FanOut<R> submit(RemoteFunction<R> function) {
        Objects.requireNonNull(function, "function");
        return submitEach(n -> function);
    }

    /** A function made per node (per-node arguments), without waiting. */
    public <R> FanOut<R> submitEach(Function<Node, ? extends RemoteFunction<R>> perNode) {
        Map<String, CompletableFuture<R>> futures = new LinkedHashMap<>();
        String what = null;
        for (Node n : nodes) {
            RemoteFunction<R> fn = perNode.apply(n);
            if (what == null) {
                what = fn.getClass().getSimpleName();
            }
            futures.put(n.name(), n.submit(fn));
        }
        return new FanOut<>(what == null ? "call" : what, futures);
    }

    /**
     * The same function on every node; waits for all.
     *
     * @throws FanOutException listing every node that failed
     */
    public <R> Map<String, R> call(RemoteFunction<R> function) {
        return submit(function).join();
    }

    /** A function made per node; waits for all. */
    public <R> Map<String, R> callEach(Function<Node, ? extends RemoteFunction<R>> perNode) {
        return submitEach(perNode).join();
    }

    /**
     * Streams the source to {@code path} on every node; waits for all. See {@link #sendAsync}.
     *
     * @throws FanOutException listing every node where the file did not land
     */
    public Map<String, StreamResult> send(StreamSource source, String path, FileSpec spec) {
        return sendAsync(source, path, spec).join();
    }

    /**
     * Streams the source to {@code path} on every node. The source is read once, in
     * chunks that every node's writer shares; the slowest node sets the pace, and
     * memory stays bounded whatever the size. Each node writes a temporary file and
     * renames it into place with owner and mode, so the file appears whole or not at
     * all. A node that fails does not stop the others. {@code {node}} in the path is
     * replaced by each node's name, for nodes that share a filesystem (nodes on one host,
     * a shared mount) and would otherwise replace each other's file.
     */
    public FanOut<StreamResult> sendAsync(StreamSource source, String path, FileSpec spec) {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(path, "path");
        FileSpec fs = spec == null ? FileSpec.DEFAULT : spec;
        Map<String, CompletableFuture<StreamResult>> futures = new LinkedHashMap<>();
        List<Lane> lanes = new ArrayList<>();
        for (Node n : nodes) {
            CompletableFuture<StreamResult> f = new CompletableFuture<>();
            futures.put(n.name(), f);
            if (!(n instanceof UploadTarget t)) {
                f.completeExceptionally(new SpeedlingException("node " + n.name() + " ("
                        + n.getClass().getName() + ") cannot receive streams"));
                continue;
            }
            String nodePath = path.replace("{node}", n.name());
            try {
                lanes.add(new Lane(n.name(), nodePath, t.openUpload(nodePath, fs), f));
            } catch (RuntimeException e) {
                f.completeExceptionally(e);
            }
        }
        for (Lane lane : lanes) {
            Threads.start("stream-" + lane.node, lane::drain);
        }
        Threads.start("stream-read-" + source, () -> pump(source, lanes));
        return new FanOut<>("send " + source + " to " + path, futures);
    }

    private static void pump(StreamSource source, List<Lane> lanes) {
        InputStream in = null;
        try {
            in = source.open();
            while (true) {
                // readNBytes(int) would read 8 KiB at a time and copy the pieces together
                byte[] buf = new byte[CHUNK];
                int got = in.readNBytes(buf, 0, CHUNK);
                if (got == 0) {
                    break;
                }
                if (got < CHUNK) {
                    buf = java.util.Arrays.copyOf(buf, got);
                }
                boolean anyAlive = false;
                for (Lane lane : lanes) {
                    anyAlive |= lane.offer(buf);
                }
                if (!anyAlive) {
                    return;
                }
            }
            for (Lane lane : lanes) {
                lane.offer(END);
            }
        } catch (IOException | RuntimeException e) {
            SpeedlingException err = new SpeedlingException("reading " + source + " failed: " + e.getMessage(), e);
            lanes.forEach(l -> l.fail(err));
        } finally {
            if (in != null && source.ownsStream()) {
                try {
                    in.close();
                } catch (IOException ignored) {
                    // nothing useful to do: every byte was already read
                }
            }
        }
    }

    private static final byte[] END = new byte[0];

    /** One node's queue and writer. */
    private static final class Lane {
        final String node;
        final String path;
        final Upload upload;
        final CompletableFuture<StreamResult> result;
        final BlockingQueue<byte[]> queue = new ArrayBlockingQueue<>(QUEUE);
        volatile Throwable failure;
        long bytes;

        Lane(String node, String path, Upload upload, CompletableFuture<StreamResult> result) {
            this.node = node;
            this.path = path;
            this.upload = upload;
            this.result = result;
        }

        /** Queues a chunk, blocking while this node is behind; false once the lane failed. */
        boolean offer(byte[] chunk) {
            try {
                while (failure == null) {
                    if (queue.offer(chunk, 200, TimeUnit.MILLISECONDS)) {
                        return true;
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail(new SpeedlingException("stream to " + node + " interrupted", e));
            }
            return false;
        }

        void fail(Throwable t) {
            if (failure == null) {
                failure = t;
            }
            queue.clear();
            upload.abort();
            result.completeExceptionally(t);
        }

        void drain() {
            try {
                while (failure == null) {
                    byte[] chunk = queue.take();
                    if (chunk == END) {
                        upload.finish().whenComplete((n, t) -> {
                            if (t != null) {
                                fail(Futures.unwrap(t));
                            } else {
                                result.complete(new StreamResult(node, path, n));
                            }
                        });
                        return;
                    }
                    upload.write(chunk);
                    bytes += chunk.length;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail(new SpeedlingException("stream to " + node + " interrupted", e));
            } catch (RuntimeException e) {
                fail(e);
            }
        }
    }
}
