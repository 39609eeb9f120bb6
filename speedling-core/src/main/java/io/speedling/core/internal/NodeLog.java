package io.speedling.core.internal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/** Logger categories per node: {@code speedling.node.NAME}, and every line starts with the node name. */
public final class NodeLog {
    private NodeLog() {
    }

    public static Logger of(String node) {
        return LoggerFactory.getLogger("speedling.node." + node);
    }

    /** The threshold to ask the agent for, so it does not send records nobody shows. */
    public static int threshold(Logger log) {
        if (log.isTraceEnabled()) {
            return Level.TRACE.toInt();
        }
        if (log.isDebugEnabled()) {
            return Level.DEBUG.toInt();
        }
        if (log.isInfoEnabled()) {
            return Level.INFO.toInt();
        }
        return log.isWarnEnabled() ? Level.WARN.toInt() : Level.ERROR.toInt();
    }

    static void forward(Logger log, String node, Wire.Log r) {
        String source = r.logger();
        int dot = source == null ? -1 : source.lastIndexOf('.');
        String shortName = dot < 0 ? source : source.substring(dot + 1);
        String text = "[" + node + "] " + shortName + ": " + r.message()
                + (r.thrown() == null ? "" : "\n" + r.thrown());
        Level level = Level.intToLevel(r.level());
        log.atLevel(level).log(text);
    }
}
