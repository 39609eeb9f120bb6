package io.speedling.core;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One call made on several nodes failed on some of them. Lists every failed node
 * with its cause (and the remote stack trace where the function threw remotely);
 * the results of the nodes that succeeded stay available.
 */
public class FanOutException extends SpeedlingException {
    private static final long serialVersionUID = 1L;
    private final transient Map<String, Throwable> failures;
    private final transient Map<String, Object> successes;

    public FanOutException(String what, Map<String, Throwable> failures, Map<String, ?> successes) {
        super(describe(what, failures, successes.size()));
        this.failures = Collections.unmodifiableMap(new LinkedHashMap<>(failures));
        this.successes = Collections.unmodifiableMap(new LinkedHashMap<>(successes));
        failures.values().forEach(this::addSuppressed);
    }

    private static String describe(String what, Map<String, Throwable> failures, int ok) {
        StringBuilder sb = new StringBuilder();
        sb.append(what).append(" failed on ").append(failures.size()).append(" of ")
                .append(failures.size() + ok).append(" nodes: ").append(failures.keySet());
        failures.forEach((node, t) -> {
            sb.append("\n  ").append(node).append(": ").append(t.getMessage());
            if (t instanceof RemoteCallException r && r.remoteStackTrace() != null) {
                sb.append("\n    remote stack trace:\n");
                r.remoteStackTrace().lines().limit(40).forEach(l -> sb.append("      ").append(l).append('\n'));
            }
        });
        return sb.toString();
    }

    /** Failed node name to cause, in the order the nodes were given. */
    public Map<String, Throwable> failures() {
        return failures;
    }

    /** Results of the nodes that succeeded. */
    public Map<String, Object> successes() {
        return successes;
    }
}
