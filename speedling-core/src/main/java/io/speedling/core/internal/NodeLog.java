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
        String source = clean(r.logger());
        int dot = source == null ? -1 : source.lastIndexOf('.');
        String shortName = dot < 0 ? source : source.substring(dot + 1);
        String text = "[" + node + "] " + shortName + ": " + clean(r.message());
        if (r.thrown() != null) {
            // every line of a stack trace says which node it came from, so none can pass for another's
            for (String line : r.thrown().split("\n", -1)) {
                text += "\n[" + node + "]   " + clean(line);
            }
        }
        Level level = Level.intToLevel(r.level());
        log.atLevel(level).log(text);
    }

    /**
     * Text from a node made safe to print as one line: control characters (line breaks, carriage
     * returns, terminal escapes) become visible escapes, so a node cannot forge another node's log
     * lines or move a terminal's cursor.
     */
    public static String clean(String s) {
        if (s == null) {
            return null;
        }
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean control = (c < 0x20 && c != '\t') || (c >= 0x7f && c <= 0x9f);
            if (control && b == null) {
                b = new StringBuilder(s.length() + 8).append(s, 0, i);
            }
            if (b != null) {
                if (control) {
                    b.append(c == '\n' ? "\\n" : c == '\r' ? "\\r" : String.format("\\x%02x", (int) c));
                } else {
                    b.append(c);
                }
            }
        }
        return b == null ? s : b.toString();
    }
}
