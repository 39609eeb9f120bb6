package io.speedling.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * The per-node futures of one call made on several nodes, and their combined result.
 *
 * <pre>{@code
 * Map<String, CommandResult> kernels = fleet.all().submit(Sh.of("uname -r")).join();
 * }</pre>
 *
 * @param <R> the result type
 */
public final class FanOut<R> {
    private final String what;
    private final Map<String, CompletableFuture<R>> futures;

    public FanOut(String what, Map<String, CompletableFuture<R>> futures) {
        this.what = what;
        this.futures = Collections.unmodifiableMap(new LinkedHashMap<>(futures));
    }

    /** Node name to future, in the group's order. */
    public Map<String, CompletableFuture<R>> futures() {
        return futures;
    }

    public CompletableFuture<R> get(String node) {
        CompletableFuture<R> f = futures.get(node);
        if (f == null) {
            throw new SpeedlingException("no node '" + node + "' in this call; nodes: " + futures.keySet());
        }
        return f;
    }

    /** Completes when every node has answered, successfully or not. */
    public CompletableFuture<Void> allDone() {
        return CompletableFuture.allOf(futures.values().toArray(CompletableFuture[]::new))
                .handle((v, t) -> null);
    }

    /**
     * Waits for every node and returns node name to result.
     *
     * @throws FanOutException listing every node that failed, with remote stack traces
     */
    public Map<String, R> join() {
        awaitAll();
        Map<String, R> ok = new LinkedHashMap<>();
        Map<String, Throwable> failed = new LinkedHashMap<>();
        for (Map.Entry<String, CompletableFuture<R>> e : futures.entrySet()) {
            try {
                ok.put(e.getKey(), e.getValue().get());
            } catch (InterruptedException ie) {
                throw interrupted(ie);
            } catch (ExecutionException | CompletionException ex) {
                failed.put(e.getKey(), Futures.unwrap(ex));
            } catch (java.util.concurrent.CancellationException ce) {
                failed.put(e.getKey(), ce);
            }
        }
        if (!failed.isEmpty()) {
            throw new FanOutException(what, failed, ok);
        }
        return ok;
    }

    /**
     * Waits once for every node ({@link #allDone}: the caller's thread is woken when the last one
     * answers, not once per node as a get per future would).
     */
    private void awaitAll() {
        try {
            allDone().get();
        } catch (InterruptedException ie) {
            throw interrupted(ie);
        } catch (ExecutionException e) {
            throw new IllegalStateException("allDone() completes normally", e);
        }
    }

    /** The caller gave up (a task over its limit): stops the work on every node that still runs it. */
    private SpeedlingException interrupted(InterruptedException ie) {
        List<String> cancelled = new ArrayList<>();
        futures.forEach((node, f) -> {
            if (f.cancel(true)) {
                cancelled.add(node);
            }
        });
        Thread.currentThread().interrupt();
        return new SpeedlingException("interrupted while waiting for " + what + "; cancelled it on "
                + (cancelled.isEmpty() ? "no node (all had answered)" : String.join(", ", cancelled)), ie);
    }
}
