package io.speedling.core.internal;

import com.fasterxml.jackson.databind.JavaType;
import io.speedling.core.FileSpec;
import io.speedling.core.Node;
import io.speedling.core.NodeLostException;
import io.speedling.core.NodeSpec;
import io.speedling.core.RemoteCallException;
import io.speedling.core.RemoteFunction;
import io.speedling.core.SpeedlingException;
import java.io.IOException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/**
 * A node that is this JVM's own machine: no SSH, no agent process. Functions and
 * results still make the JSON round trip, so whatever works here works remotely.
 */
public final class LocalNode implements Node, UploadTarget {
    private final NodeSpec spec;
    private final ExecContext context;
    private final ExecutorService pool;
    private volatile boolean closed;

    public LocalNode(NodeSpec spec) {
        this.spec = spec;
        this.context = new ExecContext(spec.name(), spec.roles(), spec.data(), NodeLog.of(spec.name()));
        this.pool = Threads.cached("speedling-local-" + spec.name());
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

    @Override
    public boolean isAlive() {
        return !closed;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <R> CompletableFuture<R> submit(RemoteFunction<R> function) {
        if (closed) {
            return CompletableFuture.failedFuture(gone());
        }
        Class<?> type = function.getClass();
        JavaType resultType;
        RemoteFunction<R> copy;
        try {
            resultType = Json.resultType(type);
            copy = Json.roundTrip(function, Json.MAPPER.constructType(type));
        } catch (IOException | RuntimeException e) {
            return CompletableFuture.failedFuture(new SpeedlingException("node " + name() + ": " + type.getName()
                    + " does not survive the JSON round trip: " + e.getMessage(), e));
        }
        CompletableFuture<R> result = new CompletableFuture<>() {
            private volatile Future<?> running;

            @Override
            public boolean cancel(boolean mayInterrupt) {
                Future<?> r = running;
                if (r != null) {
                    r.cancel(true);
                }
                return super.cancel(mayInterrupt);
            }

            {
                running = pool.submit(() -> {
                    try {
                        Object r = copy.run(context);
                        complete(Json.roundTrip(r, resultType));
                    } catch (Throwable t) {
                        Wire.Failure w = Wire.Failure.of(t);
                        completeExceptionally(new RemoteCallException(name(), type.getSimpleName(), w.type(),
                                w.message(), w.stack()));
                    }
                });
            }
        };
        return result;
    }

    @Override
    public Upload openUpload(String path, FileSpec spec) {
        AtomicFile f = new AtomicFile(path, spec);
        return new Upload() {
            @Override
            public void write(byte[] chunk) {
                f.write(chunk, 0, chunk.length);
            }

            @Override
            public CompletableFuture<Long> finish() {
                try {
                    return CompletableFuture.completedFuture(f.commit());
                } catch (RuntimeException e) {
                    return CompletableFuture.failedFuture(e);
                }
            }

            @Override
            public void abort() {
                f.abort();
            }
        };
    }

    private NodeLostException gone() {
        return new NodeLostException(name(), "node " + name() + " was closed", null);
    }

    @Override
    public void close() {
        closed = true;
        pool.shutdownNow();
    }

    @Override
    public String toString() {
        return "LocalNode[" + name() + "]";
    }
}
