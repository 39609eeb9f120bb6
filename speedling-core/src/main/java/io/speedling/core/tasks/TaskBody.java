package io.speedling.core.tasks;

/**
 * The work of a task. It may wait for other tasks through its context.
 *
 * @param <T> the task's result; use {@link Void} and return null for none
 */
@FunctionalInterface
public interface TaskBody<T> {
    T run(TaskContext ctx) throws Exception;
}
