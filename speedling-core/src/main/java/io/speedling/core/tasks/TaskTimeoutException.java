package io.speedling.core.tasks;

import io.speedling.core.SpeedlingException;
import java.time.Duration;

/**
 * A task worked longer than its limit (its own, {@link TaskGraph#limit}, or its graph's, {@link
 * TaskGraph.Builder#taskTimeout}) and was interrupted.
 */
public final class TaskTimeoutException extends SpeedlingException {
    private final String task;
    private final Duration limit;

    public TaskTimeoutException(String task, Duration limit, Throwable cause) {
        super("task " + task + " did not finish within its limit of " + format(limit) + " and was interrupted"
                + (cause == null ? "" : " (it then failed with: " + cause + ")")
                + "; look at what it was doing on its node, or raise the limit with TaskGraph.Builder.taskTimeout"
                + " (every task's) or TaskGraph.limit (this task's)",
                cause);
        this.task = task;
        this.limit = limit;
    }

    private static String format(Duration d) {
        return d.toMillis() < 10_000 ? d.toMillis() + " ms" : d.toSeconds() + " s";
    }

    public String task() {
        return task;
    }

    public Duration limit() {
        return limit;
    }
}
