package io.speedling.core.tasks;

import io.speedling.core.SpeedlingException;

/** A task could not go on because a task it waited for failed. */
public class TaskAbortedException extends SpeedlingException {
    private static final long serialVersionUID = 1L;
    private final String task;
    private final String failedTask;

    public TaskAbortedException(String task, String failedTask, Throwable cause) {
        super("task " + task + " aborted: it waits for task " + failedTask + ", which failed: "
                + (cause == null ? "" : cause.getMessage()), cause);
        this.task = task;
        this.failedTask = failedTask;
    }

    public String task() {
        return task;
    }

    /** The task whose own failure started the chain of aborts. */
    public String failedTask() {
        return failedTask;
    }
}
