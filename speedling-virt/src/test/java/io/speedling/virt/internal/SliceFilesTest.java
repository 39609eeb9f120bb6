package io.speedling.virt.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SliceFilesTest {
    @Test
    void aConsolesFailuresAreFoundWhereverTheyAreAndShownWithoutColours(@TempDir Path dir) throws Exception {
        // the start of a real console whose network unit hit the cgroup race, then a clean tail
        Path console = Files.writeString(dir.resolve("console.log"), """
                systemd 252.39-1~deb12u2 running in system mode
                speedling-network.service: Failed to attach to cgroup /system.slice/speedling-network.service: No such file or directory
                         Starting \u001b[0;1;39mspeedling-network…- speedling-virt node addresses\u001b[0m...
                speedling-network.service: Main process exited, code=exited, status=219/CGROUP
                [\u001b[0;1;31mFAILED\u001b[0m] Failed to start \u001b[0;1;39mspeedling-network.service\u001b[0m.
                [\u001b[0;32m  OK  \u001b[0m] Started \u001b[0;1;39mssh.service\u001b[0m - OpenBSD Secure Shell server.
                controller-01 login:\s
                """);
        assertThat(SliceFiles.failures(console, 12)).isEqualTo("""
                its console's lines of failures:
                speedling-network.service: Failed to attach to cgroup /system.slice/speedling-network.service: No such file or directory
                [FAILED] Failed to start speedling-network.service.
                """);
        assertThat(SliceFiles.failures(console, 1).lines()).hasSize(2);
        Files.writeString(console, "[  OK  ] Started ssh.service.\n");
        assertThat(SliceFiles.failures(console, 12)).isEmpty();
        assertThat(SliceFiles.failures(dir.resolve("missing.log"), 12)).isEmpty();
    }
}
