package io.speedling.core.testing;

import io.speedling.core.Node;
import io.speedling.core.NodeSpec;
import io.speedling.core.RemoteCallException;
import io.speedling.core.RemoteFunction;
import io.speedling.core.SpeedlingException;
import io.speedling.core.internal.Json;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * A node that runs nothing: it records every function sent to it (after the JSON round trip a
 * real agent would make, so what cannot travel fails here too) and answers from what the test
 * gave it per function type. A plan (which files a component writes on which node, with which
 * keys; which services it starts) is then checked in milliseconds, without root or containers:
 *
 * <pre>{@code
 * RecordingNode n = new RecordingNode(NodeSpec.local("controller-01").roles("controller"))
 *         .answer(Sh.class, sh -> new CommandResult(List.of(), 0, "", ""));
 * try (Fleet fleet = Fleet.of(List.of(n))) { ... }
 * n.calls(MergeIni.class)   // what was sent, in order
 * }</pre>
 *
 * A function with no answer fails its call naming the node and the type.
 */
public final class RecordingNode implements Node {
    private final NodeSpec spec;
    private final Map<Class<?>, Function<Object, Object>> answers = new LinkedHashMap<>();
    private final List<RemoteFunction<?>> calls = new ArrayList<>();
    private volatile boolean closed;

    public RecordingNode(NodeSpec spec) {
        this.spec = spec;
    }

    /** Answers every function of {@code type} with what {@code answer} makes of it. */
    @SuppressWarnings("unchecked")
    public synchronized <F extends RemoteFunction<R>, R> RecordingNode answer(Class<F> type, Function<F, R> answer) {
        answers.put(type, f -> answer.apply((F) f));
        return this;
    }

    /** Every function sent so far, in order. */
    public synchronized List<RemoteFunction<?>> calls() {
        return List.copyOf(calls);
    }

    /** The functions of {@code type} sent so far, in order. */
    public synchronized <F> List<F> calls(Class<F> type) {
        return calls.stream().filter(type::isInstance).map(type::cast).toList();
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
    @SuppressWarnings("unchecked")
    public <R> CompletableFuture<R> submit(RemoteFunction<R> function) {
        if (closed) {
            return CompletableFuture.failedFuture(new SpeedlingException("node " + name() + " was closed"));
        }
        Class<?> type = function.getClass();
        RemoteFunction<R> copy;
        Function<Object, Object> answer;
        synchronized (this) {
            try {
                copy = Json.roundTrip(function, Json.MAPPER.constructType(type));
            } catch (IOException | RuntimeException e) {
                return CompletableFuture.failedFuture(new SpeedlingException("node " + name() + ": " + type.getName()
                        + " does not survive the JSON round trip: " + e.getMessage(), e));
            }
            calls.add(copy);
            answer = answers.get(type);
        }
        if (answer == null) {
            return CompletableFuture.failedFuture(new SpeedlingException("recording node " + name() + " has no answer "
                    + "for " + type.getSimpleName() + "; give one with answer(" + type.getSimpleName() + ".class, ...)"));
        }
        try {
            Object r = answer.apply(copy);
            return CompletableFuture.completedFuture(Json.roundTrip(r, Json.resultType(type)));
        } catch (IOException | RuntimeException e) {
            return CompletableFuture.failedFuture(new RemoteCallException(name(), type.getSimpleName(),
                    e.getClass().getName(), String.valueOf(e.getMessage()), ""));
        }
    }

    @Override
    public boolean isAlive() {
        return !closed;
    }

    @Override
    public void close() {
        closed = true;
    }

    @Override
    public String toString() {
        return "RecordingNode[" + name() + " " + calls.size() + " calls]";
    }
}
