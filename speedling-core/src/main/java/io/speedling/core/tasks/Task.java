package io.speedling.core.tasks;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A named task of a {@link TaskGraph}. It runs at most once per graph; its result
 * is a future that completes when it ends.
 *
 * @param <T> the result type
 */
public final class Task<T> {
    private final String name;
    private final TaskBody<T> body;
    private final List<Task<?>> dependencies;
    final CompletableFuture<T> future = new CompletableFuture<>();
    final TaskGraph graph;

    Task(TaskGraph graph, String name, TaskBody<T> body, List<Task<?>> dependencies) {
        this.graph = graph;
        this.name = name;
        this.body = body;
        this.dependencies = List.copyOf(dependencies);
    }

    public String name() {
        return name;
    }

    /** Tasks this one wants before its body runs. */
    public List<Task<?>> dependencies() {
        return dependencies;
    }

    /** Completes with the result, or exceptionally with the failure or abort. */
    public CompletableFuture<T> future() {
        return future.copy();
    }

    TaskBody<T> body() {
        return body;
    }

    @Override
    public String toString() {
        return "Task[" + name + "]";
    }
}
