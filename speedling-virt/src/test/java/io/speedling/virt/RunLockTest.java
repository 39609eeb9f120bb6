package io.speedling.virt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RunLockTest {
    @TempDir
    Path tmp;

    @Test
    void aSecondHoldInThisProcessIsRefusedNamingTheHolderAndFreedByClose() {
        Path f = tmp.resolve("locks/slice-7.lock");
        try (RunLock held = RunLock.acquire(f, "slice 7", "cloud a", "give another slice (--slice)")) {
            assertThatThrownBy(() -> RunLock.acquire(f, "slice 7", "cloud b", "give another slice (--slice)"))
                    .isInstanceOf(VirtException.class)
                    .hasMessageMatching("slice 7 is in use by pid \\d+ \\(cloud a\\) since .* in this process; give "
                            + "another slice \\(--slice\\)");
        }
        RunLock.acquire(f, "slice 7", "cloud b", "-").close();
    }

    @Test
    void anotherProcessIsRefusedUntilTheHolderEndsHoweverItEnds() throws Exception {
        Path f = tmp.resolve("slice-8.lock");
        Process holder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), Hold.class.getName(), f.toString()).redirectErrorStream(true)
                .start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(),
                    StandardCharsets.UTF_8));
            assertThat(out.readLine()).isEqualTo("held");
            assertThatThrownBy(() -> RunLock.acquire(f, "slice 8", "cloud b", "give another slice (--slice)"))
                    .hasMessageMatching("slice 8 is in use by another speedling run: pid " + holder.pid()
                            + " \\(cloud other\\) since .*; wait for it to end, or give another slice \\(--slice\\)");
            RunLock.removeIfFree(f);  // held by the other process: left
            assertThat(f).exists();
        } finally {
            holder.destroyForcibly();  // SIGKILL: no close(), the kernel drops the lock
            holder.waitFor(10, TimeUnit.SECONDS);
        }
        RunLock.acquire(f, "slice 8", "cloud b", "-").close();
        RunLock.removeIfFree(f);
        assertThat(f).doesNotExist();
    }

    /** Holds a lock until killed. */
    public static final class Hold {
        public static void main(String[] args) throws Exception {
            RunLock.acquire(Path.of(args[0]), "slice 8", "cloud other", "-");
            System.out.println("held");
            System.out.flush();
            Thread.sleep(60_000);
        }
    }
}
