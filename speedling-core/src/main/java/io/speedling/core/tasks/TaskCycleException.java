package io.speedling.core.tasks;

import io.speedling.core.SpeedlingException;
import java.util.List;

/** Waiting would close a cycle: the tasks would wait for each other forever. */
public class TaskCycleException extends SpeedlingException {
    private static final long serialVersionUID = 1L;
    private final List<String> cycle;

    public TaskCycleException(List<String> cycle) {
        super("wait cycle between tasks: " + String.join(" -> ", cycle)
                + "; break it by removing one of these waits (dependencies or want() calls)");
        this.cycle = List.copyOf(cycle);
    }

    /** The tasks of the cycle, the first repeated at the end. */
    public List<String> cycle() {
        return cycle;
    }
}
