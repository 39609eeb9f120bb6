package io.speedling.core.tasks;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.speedling.core.internal.Json;
import java.util.Comparator;
import java.util.List;

/**
 * The record of one run of a {@link TaskGraph}: every task with its times, waits and
 * outcome. It is plain data: {@link #toJson()} writes it for timelines and graphs.
 *
 * @param startedAtEpochMs wall-clock start of the run
 * @param wallMs the run's duration
 * @param serial whether every task ran on one thread
 * @param tasks every task of the graph, in definition order
 */
public record RunReport(long startedAtEpochMs, long wallMs, boolean serial, List<TaskRecord> tasks) {

    public RunReport {
        tasks = List.copyOf(tasks);
    }

    public List<TaskRecord> withStatus(TaskStatus s) {
        return tasks.stream().filter(t -> t.status() == s).toList();
    }

    public List<TaskRecord> succeeded() {
        return withStatus(TaskStatus.SUCCEEDED);
    }

    public List<TaskRecord> failed() {
        return withStatus(TaskStatus.FAILED);
    }

    public List<TaskRecord> aborted() {
        return withStatus(TaskStatus.ABORTED);
    }

    public boolean ok() {
        return failed().isEmpty() && aborted().isEmpty();
    }

    public TaskRecord task(String name) {
        return tasks.stream().filter(t -> t.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no task named '" + name + "' in this run"));
    }

    /** The slowest tasks by wall time, slowest first. */
    public List<TaskRecord> slowest(int n) {
        return tasks.stream().filter(t -> t.startMs() >= 0)
                .sorted(Comparator.comparingLong((TaskRecord t) -> t.endMs() - t.startMs()).reversed())
                .limit(n).toList();
    }

    /** The tasks with the most own work (wall time minus waits), most first: where the time goes. */
    public List<TaskRecord> slowestByWork(int n) {
        return tasks.stream().filter(t -> t.startMs() >= 0)
                .sorted(Comparator.comparingLong(TaskRecord::workMs).reversed()).limit(n).toList();
    }

    /** A few lines: counts, then each failed task with its error and each aborted one with its cause. */
    public String summary() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("run of %d tasks in %.2f s: %d succeeded, %d failed, %d aborted", succeeded().size()
                + failed().size() + aborted().size(), wallMs / 1000.0, succeeded().size(), failed().size(),
                aborted().size()));
        for (TaskRecord t : failed()) {
            sb.append("\n  FAILED  ").append(t.name()).append(": ").append(t.error());
        }
        for (TaskRecord t : aborted()) {
            sb.append("\n  ABORTED ").append(t.name()).append(" (waited for failed task ").append(t.failedTask())
                    .append(')');
        }
        return sb.toString();
    }

    public String toJson() {
        try {
            return Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a run report is plain data and always serialises", e);
        }
    }

    public static RunReport fromJson(String json) {
        try {
            return Json.MAPPER.readValue(json, RunReport.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a run report: " + e.getMessage(), e);
        }
    }
}
