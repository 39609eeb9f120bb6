package io.speedling.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.speedling.core.NodeSpec;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import org.junit.jupiter.api.Test;
import org.slf4j.event.EventRecordingLogger;
import org.slf4j.event.Level;
import org.slf4j.event.SubstituteLoggingEvent;
import org.slf4j.helpers.SubstituteLogger;

/** What a broken or hostile node sends is bounded and cannot pass for something else. */
class HostileNodeTest {
    @Test
    void endlessBytesBeforeTheGreetingAreReadOnlyUpToTheBound() throws Exception {
        InputStream endless = new InputStream() {
            @Override
            public int read() {
                return 'x';
            }
        };
        assertThat(SshAgentLauncher.readBoundedLine(endless, 4096)).hasSize(4096);
        assertThat(SshAgentLauncher.readBoundedLine(new ByteArrayInputStream("DLING-NEED a.jar\nrest".getBytes()),
                4096)).isEqualTo("DLING-NEED a.jar");
    }

    @Test
    void aTruncatedScriptMessageIsReportedNotThrown() {
        NodeSpec spec = NodeSpec.local("n1");
        assertThat(SshAgentLauncher.scriptMessage(spec, "SPEEDLING-OLDJAVA 11").message())
                .isEqualTo("the start script's message was cut short: SPEEDLING-OLDJAVA 11");
        assertThat(SshAgentLauncher.scriptMessage(spec, "SPEEDLING-NODIR").message())
                .startsWith("the start script's message was cut short");
        assertThat(SshAgentLauncher.scriptMessage(spec, "SPEEDLING-OLDJAVA 11 /usr/bin/java").message())
                .startsWith("/usr/bin/java on the node is Java 11");
    }

    @Test
    void aNodesLogLineCannotForgeAnotherNodesLineOrMoveTheCursor() {
        java.util.Queue<SubstituteLoggingEvent> events = new java.util.concurrent.LinkedBlockingQueue<>();
        EventRecordingLogger capture = new EventRecordingLogger(new SubstituteLogger("test", events, false), events);
        NodeLog.forward(capture, "worker-01", new Wire.Log(Level.INFO.toInt(), "a.b.Evil",
                "done\n12:00:00.000 INFO [controller-01] all good\u001b[2K\r", "t", "java.lang.X: y\n\tat z\n[x] forged"));
        assertThat(events).hasSize(1);
        String[] printed = events.peek().getMessage().split("\n");
        assertThat(printed[0]).isEqualTo("[worker-01] Evil: done\\n12:00:00.000 INFO [controller-01] all good"
                + "\\x1b[2K\\r");
        assertThat(printed).allMatch(l -> l.startsWith("[worker-01] "));
        assertThat(NodeLog.clean("tab\tok")).isEqualTo("tab\tok");
    }
}
