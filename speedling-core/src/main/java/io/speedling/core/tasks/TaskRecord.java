package io.speedling.core.tasks;

import java.util.List;

/**
 * What one task did in a run. Times are milliseconds since the run started.
 *
 * @param name task name
 * @param status how it ended
 * @param startMs when it started, -1 if it did not run
 * @param endMs when it ended, -1 if it did not run
 * @param waitMs time spent waiting for other tasks
 * @param dependencies declared dependencies
 * @param waitedFor every task it waited for (declared and dynamic), in order
 * @param thread the thread it ran on
 * @param error the failure's message (for aborts: which task failed), or null
 * @param failedTask for an abort, the task whose failure caused it
 * @param waits each wait for another task, with its times, in order
 * @param outcome what the task reported it found ({@link TaskContext#outcome}), or null
 */
public record TaskRecord(String name, TaskStatus status, long startMs, long endMs, long waitMs,
        List<String> dependencies, List<String> waitedFor, String thread, String error, String failedTask,
        List<Wait> waits, String outcome) {

    public TaskRecord {
        dependencies = dependencies == null ? List.of() : List.copyOf(dependencies);
        waitedFor = waitedFor == null ? List.of() : List.copyOf(waitedFor);
        waits = waits == null ? List.of() : List.copyOf(waits);
    }

    /** One wait of a task for another, in milliseconds since the run started. */
    public record Wait(String task, long startMs, long endMs) {
    }

    /** Wall time minus waits: the task's own work. */
    public long workMs() {
        return startMs < 0 ? 0 : Math.max(0, endMs - startMs - waitMs);
    }
}
