package io.speedling.core.tasks;

/** What a running task can do with the graph: wait for other tasks, or start them early. */
public interface TaskContext {

    /** The running task's name. */
    String taskName();

    /**
     * Starts the task if it has not started and waits for its result (the original's
     * {@code wants}). The wait is recorded apart from the task's own work.
     *
     * @throws TaskAbortedException when the wanted task failed or was aborted
     * @throws TaskCycleException when waiting would close a cycle of waits
     */
    <T> T want(Task<T> task);

    /** Waits for several tasks; all are started first so they run in parallel. */
    void want(Task<?>... tasks);

    /** Starts the tasks without waiting (the original's {@code will need}). */
    void willNeed(Task<?>... tasks);

    /**
     * What the task found, in words, for the run's report ({@link TaskRecord#outcome}): e.g. a test
     * run's counts. The last call wins; kept whether the task then succeeds or fails.
     */
    void outcome(String text);
}
