package io.speedling.core.tasks;

import io.speedling.core.SpeedlingException;

/** A run ended with failed tasks; the report says which, why, and what they took down with them. */
public class TaskGraphException extends SpeedlingException {
    private static final long serialVersionUID = 1L;
    private final transient RunReport report;

    public TaskGraphException(RunReport report) {
        super(report.summary());
        this.report = report;
    }

    public RunReport report() {
        return report;
    }
}
