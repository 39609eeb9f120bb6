package io.speedling.openstack;

import io.speedling.core.tasks.RunReport;
import io.speedling.core.tasks.TaskRecord;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a deploy did and where its outputs are: the run's report (every task with its timing),
 * the services it started or restarted, and the files users need.
 *
 * @param reportFile the run record as JSON (deploy.json)
 * @param htmlReport the run as a page with a timeline and the task graph (deploy.html)
 */
public record DeployResult(String cloud, String keystoneUrl, RunReport report, Map<String, String> serviceActions,
                           Path stateDir, Path cloudsYaml, Path adminOpenrc, Path demoOpenrc, Path reportFile,
                           Path htmlReport) {

    /** How many services this run restarted (a rerun with nothing changed restarts none). */
    public long restarted() {
        return serviceActions.values().stream().filter("restarted"::equals).count();
    }

    /** A few lines for the console: wall time, the ten tasks with the most own work, where the report is. */
    public String summary() {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
                "cloud %s deployed in %.1f s: %d tasks, %d services restarted%nslowest tasks (own work, not counting waits for other tasks):", cloud,
                report.wallMs() / 1000.0, report.tasks().size(), restarted()));
        List<TaskRecord> slow = report.slowestByWork(10);
        for (int i = 0; i < slow.size(); i++) {
            TaskRecord t = slow.get(i);
            sb.append(String.format(Locale.ROOT, "%n  %2d. %-28s %6.1f s  (ran %.1f-%.1f s)", i + 1, t.name(),
                    t.workMs() / 1000.0, t.startMs() / 1000.0, t.endMs() / 1000.0));
        }
        for (TaskRecord t : report.tasks()) {
            if (t.outcome() != null) {
                sb.append(System.lineSeparator()).append(t.name()).append(": ")
                        .append(t.outcome().replace("\n", System.lineSeparator() + "  "));
            }
        }
        sb.append(System.lineSeparator()).append("report: ").append(htmlReport);
        return sb.toString();
    }
}
