package io.speedling.openstack;

import io.speedling.core.tasks.RunReport;
import java.nio.file.Path;
import java.util.Map;

/**
 * What a deploy did and where its outputs are: the run's report (every task with its timing),
 * the services it started or restarted, and the files users need.
 */
public record DeployResult(String cloud, String keystoneUrl, RunReport report, Map<String, String> serviceActions,
                           Path stateDir, Path cloudsYaml, Path adminOpenrc, Path demoOpenrc, Path reportFile) {

    /** How many services this run restarted (a rerun with nothing changed restarts none). */
    public long restarted() {
        return serviceActions.values().stream().filter("restarted"::equals).count();
    }
}
