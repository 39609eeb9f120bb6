package io.speedling.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.speedling.core.Cmd;
import io.speedling.core.CommandResult;
import io.speedling.core.SpeedlingException;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** Commands as the agent runs them: limits and cancels stop everything a command started. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ExecContextTest {
    private final ExecContext ctx = new ExecContext("n1", Set.of(), Map.of(), LoggerFactory.getLogger("test"));

    @TempDir
    Path tmp;

    @Test
    void aLazyLoggerIsMadeOnFirstUseAndOnce() {
        java.util.concurrent.atomic.AtomicInteger made = new java.util.concurrent.atomic.AtomicInteger();
        ExecContext lazy = new ExecContext("n1", Set.of(), Map.of(), () -> {
            made.incrementAndGet();
            return LoggerFactory.getLogger("lazy");
        });
        assertThat(made).hasValue(0);
        assertThat(lazy.log().getName()).isEqualTo("lazy");
        assertThat(lazy.log()).isSameAs(lazy.log());
        assertThat(made).hasValue(1);
    }

    @Test
    void aTimeLimitKillsTheCommandAndItsBackgroundChildren() throws Exception {
        Path pidFile = tmp.resolve("child.pid");
        // the child is orphaned and in a process group of its own: neither a descendant nor in the group,
        // only its session finds it
        Cmd cmd = Cmd.sh("set -m; (sh -c 'echo $$ > " + pidFile + "; exec sleep 300' >/dev/null 2>&1 &); sleep 300")
                .timeout(Duration.ofMillis(800));
        assertThatThrownBy(() -> ctx.run(cmd)).isInstanceOf(SpeedlingException.class)
                .hasMessageContaining("on node n1 did not finish within PT0.8S; it and what it started were killed");
        assertGone(pidFile);
    }

    @Test
    void aBackgroundChildHoldingTheOutputOpenEndsTheCallAtTheLimitNotNever() throws Exception {
        Path pidFile = tmp.resolve("child.pid");
        Cmd cmd = Cmd.sh("sh -c 'echo $$ > " + pidFile + "; exec sleep 300' & echo started")
                .timeout(Duration.ofSeconds(2));
        assertThatThrownBy(() -> ctx.run(cmd)).hasMessageContaining("exited with 0 but left a background process "
                + "holding its output open; it was killed. Redirect a background process's output");
        assertGone(pidFile);
    }

    @Test
    void aCancelledCallKillsWhatItStarted() throws Exception {
        Path pidFile = tmp.resolve("child.pid");
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<CommandResult> f = pool.submit(() -> ctx.run(Cmd.sh("sh -c 'echo $$ > " + pidFile
                    + "; exec sleep 300' >/dev/null 2>&1 & wait")));
            for (int i = 0; i < 200 && !(Files.exists(pidFile) && Files.readString(pidFile).endsWith("\n")); i++) {
                Thread.sleep(20);
            }
            f.cancel(true);
            assertGone(pidFile);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void outputIsBoundedKeepingTheEnd() throws Exception {
        byte[] big = new byte[ExecContext.OUTPUT_LIMIT + 3 * 65536];
        big[big.length - 1] = 'Z';
        String kept = new String(ExecContext.readBounded(new ByteArrayInputStream(big)));
        assertThat(kept).startsWith("[speedling: the first ").contains("bytes of this output were dropped")
                .endsWith("Z");
        assertThat(kept.length()).isLessThanOrEqualTo(ExecContext.OUTPUT_LIMIT + 200);
        assertThat(ExecContext.readBounded(new ByteArrayInputStream("ok".getBytes()))).isEqualTo("ok".getBytes());
    }

    @Test
    void aFileTooLargeForOneMessageIsRefusedSayingToStreamIt() throws Exception {
        Path f = tmp.resolve("big");
        try (var ch = java.nio.channels.FileChannel.open(f, java.nio.file.StandardOpenOption.CREATE_NEW,
                java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(new byte[1]), Frames.MAX_FRAME);  // sparse
        }
        assertThatThrownBy(() -> ctx.readFile(f.toString())).hasMessageContaining("is too large to read in one call")
                .hasMessageContaining("move large data as a stream");
        assertThat(Frames.fits(Frames.MAX_FRAME)).isFalse();
        assertThatThrownBy(() -> new Frames.Writer(java.io.OutputStream.nullOutputStream())
                .write(Frames.RESULT, 1, new byte[Frames.MAX_FRAME])).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("over the 64 MiB one message may carry");
    }

    private static void assertGone(Path pidFile) throws Exception {
        // the shell creates the file before it writes the pid: wait for the whole line (seen empty in CI)
        for (int i = 0; i < 250 && !(Files.exists(pidFile) && Files.readString(pidFile).endsWith("\n")); i++) {
            Thread.sleep(20);
        }
        long pid = Long.parseLong(Files.readString(pidFile).trim());
        for (int i = 0; i < 250 && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false); i++) {
            Thread.sleep(20);
        }
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("child " + pid + " alive")
                .isFalse();
    }
}
