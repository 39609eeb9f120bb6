package io.speedling.core.internal;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import java.util.Set;

/** JSON bodies of the protocol's control frames. */
public final class Wire {
    private Wire() {
    }

    /** Controller to agent, first frame: who the node is. */
    public record Init(String node, Set<String> roles, Map<String, Object> data, int logLevel,
            long heartbeatMillis, long timeoutMillis) {
    }

    /** Agent to controller, answer to INIT. */
    public record Hello(long pid, String user, String javaVersion, String hostname) {
    }

    /** A remote exception as text; never turned back into a class. */
    public record Failure(String type, String message, String stack) {
        public static Failure of(Throwable t) {
            StringWriter sw = new StringWriter();
            t.printStackTrace(new PrintWriter(sw));
            return new Failure(t.getClass().getName(), t.getMessage(), sw.toString());
        }
    }

    /** A log record made on the node. Levels use SLF4J's ints (ERROR 40 .. TRACE 0). */
    public record Log(int level, String logger, String message, String thread, String thrown) {
    }

    /** Start of a streamed file. */
    public record StreamOpen(String path, String owner, String group, int mode) {
    }
}
