package io.speedling.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 1 GiB stream to three nodes in a JVM whose heap is capped at 64 MiB: it only
 * passes if the source is read once in bounded chunks, never held whole.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class StreamMemoryIT {

    /** Runs in the child JVM: streams a generated 1 GiB source to three local nodes. */
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        long size = 1L << 30;
        InputStream gen = new InputStream() {
            long left = size;

            @Override
            public int read() {
                return left-- > 0 ? (int) (left & 0x7f) : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (left <= 0) {
                    return -1;
                }
                int n = (int) Math.min(len, left);
                java.util.Arrays.fill(b, off, off + n, (byte) (left & 0x7f));
                left -= n;
                return n;
            }
        };
        try (Fleet f = Fleet.builder().node(NodeSpec.local("a")).node(NodeSpec.local("b")).node(NodeSpec.local("c"))
                .connect()) {
            StreamSource src = StreamSource.of(gen, "1 GiB generated");
            // three nodes on one machine: all three write the same path; each lands atomically
            Map<String, StreamResult> res = f.all().send(src, dir.resolve("big.bin").toString(), FileSpec.mode(0600));
            for (StreamResult s : res.values()) {
                if (s.bytes() != size) {
                    throw new AssertionError("node " + s.node() + " got " + s.bytes() + " bytes");
                }
            }
            System.out.println("streamed-ok max_heap_mib=" + Runtime.getRuntime().maxMemory() / (1 << 20));
        }
    }

    @Test
    void aGibibyteStreamRunsInA64MibHeap(@TempDir Path dir) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Process p = new ProcessBuilder(List.of(java, "-Xmx64m", "-cp", System.getProperty("java.class.path"),
                StreamMemoryIT.class.getName(), dir.toString())).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(out).isZero();
        assertThat(out).contains("streamed-ok max_heap_mib=");
        assertThat(Files.size(dir.resolve("big.bin"))).isEqualTo(1L << 30);
    }
}
