package io.speedling.core.tasks;

/** How a task ended, or that it did not run. */
public enum TaskStatus {
    /** Finished without error. */
    SUCCEEDED,
    /** Its own work threw. */
    FAILED,
    /** A task it waited for failed, so it stopped. */
    ABORTED,
    /** Nothing wanted it in this run. */
    NOT_RUN
}
