package io.speedling.core.internal.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.speedling.core.RemoteFunction;
import io.speedling.core.NodeContext;
import io.speedling.core.internal.Frames;
import io.speedling.core.internal.Json;
import io.speedling.core.internal.Wire;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.nio.channels.Channels;
import java.nio.channels.Pipe;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)  // a reader that never takes over would leave a call unanswered
class AgentMainTest {
    private Frames.Writer toAgent;
    private DataInputStream fromAgent;
    private CompletableFuture<Integer> served;

    @Test
    void theHostNameInHelloIsWhatHostnamePrints() throws Exception {
        Process p = new ProcessBuilder("hostname").redirectErrorStream(true).start();
        String printed = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(p.waitFor()).isZero();
        assertThat(AgentMain.hostname()).isEqualTo(printed).isNotBlank();
    }

    /** The thread a call ran on. */
    record ThreadName() implements RemoteFunction<String> {
        @Override
        public String run(NodeContext node) {
            return Thread.currentThread().getName();
        }
    }

    /** Quick unless told to wait, then it waits until interrupted. */
    record WaitIfTold(boolean waitForever) implements RemoteFunction<String> {
        static final CountDownLatch WAITING = new CountDownLatch(1);

        @Override
        public String run(NodeContext node) throws InterruptedException {
            if (waitForever) {
                WAITING.countDown();
                new CountDownLatch(1).await();
            }
            return Thread.currentThread().getName();
        }
    }

    /** An agent served on a thread of this test, talking through two pipes; heartbeat ticks every 50 ms. */
    @BeforeEach
    void startAgent() throws Exception {
        Pipe down = Pipe.open();
        Pipe up = Pipe.open();
        toAgent = new Frames.Writer(Channels.newOutputStream(down.sink()));
        fromAgent = new DataInputStream(new BufferedInputStream(Channels.newInputStream(up.source())));
        AgentMain agent = new AgentMain(down.source(), new Frames.Writer(Channels.newOutputStream(up.sink())));
        served = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                served.complete(agent.serve());
            } catch (Throwable e) {
                served.completeExceptionally(e);
            }
        }, "test-reader");
        t.setDaemon(true);
        t.start();
        toAgent.write(Frames.INIT, 0, Json.MAPPER.writeValueAsBytes(
                new Wire.Init("n1", Set.of(), Map.of(), 50, 50, 60_000)));
        assertThat(next().type()).isEqualTo(Frames.HELLO);
    }

    @AfterEach
    void close() throws Exception {
        toAgent.write(Frames.CLOSE, 0);
        assertThat(served.get(10, TimeUnit.SECONDS)).isZero();
    }

    @Test
    void aQuickFunctionRunsOnThePoolFirstAndThenOnTheThreadThatReadsItsCall() throws Exception {
        assertThat(call(1, new ThreadName())).startsWith("call-");
        assertThat(call(2, new ThreadName())).isEqualTo("test-reader");
        assertThat(call(3, new ThreadName())).isEqualTo("test-reader");
    }

    @Test
    void aCallThatLastsOnTheReadingThreadGetsAnotherReaderAndCanBeCancelled() throws Exception {
        assertThat(call(1, new WaitIfTold(false))).startsWith("call-");
        send(2, new WaitIfTold(true));  // quick last time: the reading thread runs it, and it waits
        assertThat(WaitIfTold.WAITING.await(10, TimeUnit.SECONDS)).isTrue();
        // frames behind it are read once a heartbeat tick sees it last: a new type goes to the pool
        assertThat(call(3, new ThreadName())).startsWith("call-");
        toAgent.write(Frames.CANCEL, 2);
        Frames.Frame f = next();
        assertThat(f.id()).isEqualTo(2);
        assertThat(f.type()).isEqualTo(Frames.ERROR);
        // the type lasted: it runs on the pool from now on
        assertThat(call(4, new WaitIfTold(false))).startsWith("call-");
    }

    @Test
    void streamChunksOfAnySizeLandWholeAndAChunkOfAnUnknownStreamIsSkipped(@TempDir Path dir) throws Exception {
        Path target = dir.resolve("sub/f.bin");
        toAgent.write(Frames.STREAM_OPEN, 7, Json.MAPPER.writeValueAsBytes(
                new Wire.StreamOpen(target.toString(), null, null, 0640)));
        // sizes around the agent's 128 KiB reading buffer, so chunks start and end at every place in it
        int[] sizes = {1, 131_072 - 13, 300_000, 5, 262_144, 131_072, 77};
        java.io.ByteArrayOutputStream expected = new java.io.ByteArrayOutputStream();
        java.util.Random random = new java.util.Random(42);
        for (int size : sizes) {
            byte[] chunk = new byte[size];
            random.nextBytes(chunk);
            expected.write(chunk);
            toAgent.write(Frames.STREAM_CHUNK, 7, chunk);
            toAgent.write(Frames.STREAM_CHUNK, 99, chunk);  // no such stream: read past, nothing written
            Frames.Frame ack = next();
            assertThat(ack.type()).isEqualTo(Frames.STREAM_ACK);
            assertThat(ack.id()).isEqualTo(7);
        }
        assertThat(call(8, new ThreadName())).isNotBlank();
        toAgent.write(Frames.STREAM_END, 7);
        Frames.Frame done = next();
        assertThat(done.type()).isEqualTo(Frames.RESULT);
        assertThat(new String(done.payload(), StandardCharsets.US_ASCII)).isEqualTo(Integer.toString(expected.size()));
        assertThat(Files.readAllBytes(target)).isEqualTo(expected.toByteArray());
        assertThat(Files.getPosixFilePermissions(target)).isEqualTo(PosixFilePermissions.fromString("rw-r-----"));
        try (var left = Files.list(target.getParent())) {
            assertThat(left).containsExactly(target);  // no temporary file stays beside it
        }
    }

    private void send(long id, RemoteFunction<?> fn) throws Exception {
        toAgent.write(Frames.CALL, id, Frames.callPayload(fn.getClass().getName(), Json.MAPPER.writeValueAsBytes(fn)));
    }

    private String call(long id, RemoteFunction<String> fn) throws Exception {
        send(id, fn);
        Frames.Frame f = next();
        assertThat(f.id()).isEqualTo(id);
        assertThat(f.type()).as(new String(f.payload(), StandardCharsets.UTF_8)).isEqualTo(Frames.RESULT);
        return Json.MAPPER.readValue(f.payload(), String.class);
    }

    /** The next frame that is not a heartbeat. */
    private Frames.Frame next() throws Exception {
        while (true) {
            Frames.Frame f = Frames.read(fromAgent);
            if (f.type() != Frames.HEARTBEAT) {
                return f;
            }
        }
    }
}
