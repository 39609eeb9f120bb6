package io.speedling.core.tasks;

/**
 * Receives task events as they happen, for progress displays. Called on the task's
 * thread: return quickly.
 */
public interface TaskListener {
    default void taskStarted(String task) {
    }

    default void taskFinished(TaskRecord record) {
    }
}
