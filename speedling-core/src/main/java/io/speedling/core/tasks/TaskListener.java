package io.speedling.core.tasks;

import java.util.List;

/**
 * Receives a run's events as they happen, for progress displays and reports. Task events
 * come on the task's thread: return quickly.
 */
public interface TaskListener {
    /** The run begins; {@code tasks} names every task of the graph (some may not run). */
    default void runStarted(List<String> tasks) {
    }

    default void taskStarted(String task) {
    }

    /** {@code task} starts waiting for {@code target} (a dependency or a want). */
    default void taskWaiting(String task, String target) {
    }

    /** {@code task} stopped waiting and works again. */
    default void taskResumed(String task) {
    }

    default void taskFinished(TaskRecord record) {
    }

    /** The run ended, successfully or not; called before {@link TaskGraph#run} returns or throws. */
    default void runFinished(RunReport report) {
    }
}
