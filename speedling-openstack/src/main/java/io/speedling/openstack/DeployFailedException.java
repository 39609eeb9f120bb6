package io.speedling.openstack;

import io.speedling.core.SpeedlingException;
import io.speedling.core.tasks.RunReport;
import java.nio.file.Path;

/** A deploy whose task graph failed: the message lists failed tasks with their (redacted) errors. */
public final class DeployFailedException extends SpeedlingException {
    private final transient RunReport report;
    private final transient Path reportFile;

    public DeployFailedException(String message, RunReport report, Path reportFile) {
        super(message);
        this.report = report;
        this.reportFile = reportFile;
    }

    public RunReport report() {
        return report;
    }

    public Path reportFile() {
        return reportFile;
    }
}
