package io.speedling.virt.libvirt;

import io.speedling.virt.internal.Exec;
import io.speedling.virt.internal.ProcessId;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A libvirtd for tests: the host's own if its socket answers, else virtlogd and libvirtd started
 * here as daemons with pid files of our own, and stopped by those PIDs on {@link #close()}.
 */
final class LibvirtDaemon implements AutoCloseable {
    static final Path SOCKET = Path.of("/run/libvirt/libvirt-sock");
    private final List<ProcessId> started = new ArrayList<>();

    LibvirtDaemon(Path dir) throws IOException, InterruptedException {
        if (Files.exists(SOCKET) && Exec.of("virsh", "-c", "qemu:///system", "version").runAllowingFailure()
                .exitCode() == 0) {
            return;
        }
        Files.createDirectories(dir);
        if (!Files.exists(Path.of("/run/libvirt/virtlogd-sock"))) {
            started.add(daemon(List.of("virtlogd", "--daemon", "--pid-file", dir.resolve("virtlogd.pid").toString()),
                    dir.resolve("virtlogd.pid")));
        }
        started.add(daemon(List.of("libvirtd", "--daemon", "--pid-file", dir.resolve("libvirtd.pid").toString()),
                dir.resolve("libvirtd.pid")));
        for (int i = 0; i < 100; i++) {
            if (Exec.of("virsh", "-c", "qemu:///system", "version").runAllowingFailure().exitCode() == 0) {
                return;
            }
            Thread.sleep(100);
        }
        close();
        throw new IllegalStateException("libvirtd started but does not answer on qemu:///system");
    }

    private static ProcessId daemon(List<String> cmd, Path pidFile) throws IOException, InterruptedException {
        Exec.of(cmd).run();
        for (int i = 0; i < 100 && !Files.exists(pidFile); i++) {
            Thread.sleep(50);
        }
        long pid = Long.parseLong(Files.readString(pidFile).trim());
        return ProcessId.of(pid).orElseThrow(() -> new IllegalStateException(cmd.get(0) + " exited at once"));
    }

    @Override
    public void close() {
        for (int i = started.size() - 1; i >= 0; i--) {
            ProcessId p = started.get(i);
            p.signal("TERM");
            if (!p.awaitExit(15_000)) {
                p.signal("KILL");
                p.awaitExit(5_000);
            }
        }
        started.clear();
    }
}
