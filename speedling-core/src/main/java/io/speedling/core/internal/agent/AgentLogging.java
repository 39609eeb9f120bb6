package io.speedling.core.internal.agent;

import io.speedling.core.internal.Wire;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.Logger;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.BasicMDCAdapter;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * The agent's SLF4J provider: every record becomes a LOG frame for the controller,
 * which logs it under the node's name. Selected with {@code -Dslf4j.provider}, never
 * through a service file, so it can not capture the controller's own logging.
 */
public final class AgentLogging implements SLF4JServiceProvider {
    static volatile Consumer<Wire.Log> sink = r -> System.err.println(r.level() + " " + r.logger() + ": " + r.message());
    static volatile int threshold = Level.INFO.toInt();

    private final ConcurrentHashMap<String, Logger> loggers = new ConcurrentHashMap<>();
    private final ILoggerFactory factory = name -> loggers.computeIfAbsent(name, AgentLogger::new);
    private final IMarkerFactory markers = new BasicMarkerFactory();
    private final MDCAdapter mdc = new BasicMDCAdapter();

    @Override
    public ILoggerFactory getLoggerFactory() {
        return factory;
    }

    @Override
    public IMarkerFactory getMarkerFactory() {
        return markers;
    }

    @Override
    public MDCAdapter getMDCAdapter() {
        return mdc;
    }

    @Override
    public String getRequestedApiVersion() {
        return "2.0.99";
    }

    @Override
    public void initialize() {
        // nothing to set up: the sink is installed by AgentMain
    }

    static final class AgentLogger extends LegacyAbstractLogger {
        private static final long serialVersionUID = 1L;

        AgentLogger(String name) {
            this.name = name;
        }

        private boolean on(Level l) {
            return l.toInt() >= threshold;
        }

        @Override
        public boolean isTraceEnabled() {
            return on(Level.TRACE);
        }

        @Override
        public boolean isDebugEnabled() {
            return on(Level.DEBUG);
        }

        @Override
        public boolean isInfoEnabled() {
            return on(Level.INFO);
        }

        @Override
        public boolean isWarnEnabled() {
            return on(Level.WARN);
        }

        @Override
        public boolean isErrorEnabled() {
            return on(Level.ERROR);
        }

        @Override
        protected String getFullyQualifiedCallerName() {
            return null;
        }

        @Override
        protected void handleNormalizedLoggingCall(Level level, Marker marker, String pattern, Object[] args,
                Throwable t) {
            String msg = MessageFormatter.basicArrayFormat(pattern, args);
            String thrown = null;
            if (t != null) {
                StringWriter sw = new StringWriter();
                t.printStackTrace(new PrintWriter(sw));
                thrown = sw.toString();
            }
            sink.accept(new Wire.Log(level.toInt(), name, msg, Thread.currentThread().getName(), thrown));
        }
    }
}
