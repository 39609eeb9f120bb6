package io.speedling.core.internal.agent;

import io.speedling.core.internal.Frames;
import io.speedling.core.internal.Json;
import io.speedling.core.internal.Wire;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.util.Map;
import java.util.Set;

/**
 * Loads the classes a serving agent uses, so that a class-data-sharing archive
 * dumped at the end of this run ({@code -XX:ArchiveClassesAtExit}) makes the next
 * agent start faster.
 */
final class Warmup {
    private Warmup() {
    }

    static void run() throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        Frames.Writer w = new Frames.Writer(buf);
        Wire.Init init = new Wire.Init("warmup", Set.of("r"), Map.of("k", 1), 20, 1000, 5000);
        w.write(Frames.INIT, 0, Json.MAPPER.writeValueAsBytes(init));
        w.write(Frames.HEARTBEAT, 1);
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(buf.toByteArray()));
        Frames.Frame f = Frames.read(in);
        Json.MAPPER.readValue(f.payload(), Wire.Init.class);
        // the plain path, which a serving agent takes for these, and the mapper's, for values that are not plain
        io.speedling.core.internal.PlainJson.read(f.payload(), Wire.Init.class);
        io.speedling.core.internal.PlainJson.write(new Wire.Hello(1, "u", "17", "h"));
        io.speedling.core.internal.PlainJson.write(Wire.Failure.of(new IllegalStateException("warmup")));
        io.speedling.core.internal.PlainJson.read(io.speedling.core.internal.PlainJson.write(
                new io.speedling.core.functions.Sh("true", true, 5)), io.speedling.core.functions.Sh.class);
        Json.MAPPER.writeValueAsBytes(Wire.Failure.of(new IllegalStateException("warmup")));
        Json.MAPPER.writeValueAsBytes(new Wire.Log(20, "w", "m", "t", null));
        Json.MAPPER.readValue(Json.MAPPER.writeValueAsBytes(new Wire.StreamOpen("/x", null, null, 0644)),
                Wire.StreamOpen.class);
        Json.MAPPER.readValue("{\"a\":[1,\"b\",true,null,{\"c\":2.5}]}", Map.class);
        // what a serving agent does up to its HELLO and on its first call: the logging provider, the
        // node's name, the pools, a record-typed function there and back
        org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger("speedling.agent");
        AgentLogging.threshold = 40;
        log.debug("warmup");
        Json.MAPPER.writeValueAsBytes(new Wire.Hello(ProcessHandle.current().pid(), System.getProperty("user.name"),
                System.getProperty("java.runtime.version"), AgentMain.hostname()));
        java.util.concurrent.ExecutorService calls = io.speedling.core.internal.Threads.cached("warmup");
        java.util.concurrent.ScheduledExecutorService beat = io.speedling.core.internal.Threads.scheduler("warmup-beat");
        try {
            io.speedling.core.internal.ExecContext context = new io.speedling.core.internal.ExecContext("warmup",
                    Set.of(), Map.of(), log);
            byte[] call = Frames.callPayload(io.speedling.core.functions.Ping.class.getName(),
                    Json.MAPPER.writeValueAsBytes(new io.speedling.core.functions.Ping()));
            int off = Frames.callJsonOffset(call);
            Object fn = Json.MAPPER.readValue(call, off, call.length - off, Class.forName(Frames.callType(call)));
            Object result = calls.submit(() -> ((io.speedling.core.functions.Ping) fn).run(context)).get();
            w.write(Frames.RESULT, 2, Json.MAPPER.writeValueAsBytes(result));
            beat.schedule(() -> { }, 1, java.util.concurrent.TimeUnit.MILLISECONDS).get();
            context.run("true");
        } finally {
            calls.shutdownNow();
            beat.shutdownNow();
        }
    }
}
