package io.speedling.virt.testing;

import io.speedling.virt.internal.Exec;
import io.speedling.virt.internal.Mounts;
import io.speedling.virt.internal.ProcessId;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A libvirtd for tests: the host's own if its socket answers, else virtlogd and libvirtd started
 * here as daemons with pid files of our own, and stopped by those PIDs on {@link #close()}. A
 * libvirtd that starts adds its firewall chains ({@code LIBVIRT_INP}, ...) to new {@code filter},
 * {@code nat} and {@code mangle} tables and its run-time directory {@code /run/libvirt}; those it
 * created (absent before, holding nothing but libvirt's chains) are removed after it stopped.
 */
public final class LibvirtDaemon implements AutoCloseable {
    static final Path SOCKET = Path.of("/run/libvirt/libvirt-sock");
    private static final Path RUN_DIR = Path.of("/run/libvirt");
    private final List<ProcessId> started = new ArrayList<>();
    private Set<String> tablesBefore = Set.of();
    private boolean runDirBefore = true;

    public LibvirtDaemon(Path dir) throws IOException, InterruptedException {
        if (Files.exists(SOCKET) && Exec.of("virsh", "-c", "qemu:///system", "version").runAllowingFailure()
                .exitCode() == 0) {
            return;
        }
        Files.createDirectories(dir);
        tablesBefore = nftTables();
        runDirBefore = Files.exists(RUN_DIR);
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
        if (started.isEmpty()) {
            return;
        }
        for (int i = started.size() - 1; i >= 0; i--) {
            ProcessId p = started.get(i);
            p.signal("TERM");
            if (!p.awaitExit(15_000)) {
                p.signal("KILL");
                p.awaitExit(5_000);
            }
        }
        started.clear();
        for (String table : nftTables()) {
            if (!tablesBefore.contains(table) && onlyLibvirtChains(table)) {
                Exec.of(("nft delete " + table).split(" ")).runAllowingFailure();
            }
        }
        if (!runDirBefore) {
            Mounts.removeTree(RUN_DIR);
        }
    }

    /** "table ip filter" lines of {@code nft list tables}; none where nft is missing. */
    static Set<String> nftTables() {
        if (!Files.isExecutable(Path.of("/usr/sbin/nft"))) {
            return Set.of();
        }
        Exec.Result r = Exec.of("nft", "list", "tables").runAllowingFailure();
        if (r.exitCode() != 0) {
            return Set.of();
        }
        return r.output().lines().map(String::strip).filter(l -> l.startsWith("table ")).collect(Collectors.toSet());
    }

    /**
     * Whether a table holds only what libvirtd puts there: chains named LIBVIRT_*, and base chains
     * (INPUT, FORWARD, ...) whose only rules jump to them. Anything else means someone else uses it.
     */
    static boolean onlyLibvirtChains(String table) {
        Exec.Result r = Exec.of(("nft list " + table).split(" "))
                .runAllowingFailure();
        return r.exitCode() == 0 && onlyLibvirtChainsIn(r.output());
    }

    static boolean onlyLibvirtChainsIn(String listing) {
        boolean anyChain = false;
        for (String line : listing.lines().map(String::strip).toList()) {
            if (line.isEmpty() || line.equals("}") || line.startsWith("table ")) {
                continue;
            }
            if (line.startsWith("chain ")) {
                String name = line.substring("chain ".length()).replace("{", "").strip();
                if (!name.startsWith("LIBVIRT_") && !BASE_CHAINS.contains(name)) {
                    return false;
                }
                anyChain = true;
            } else if (!line.startsWith("type ") && !line.matches("(counter packets \\d+ bytes \\d+ )?jump LIBVIRT_\\w+")) {
                return false;
            }
        }
        return anyChain;
    }

    private static final Set<String> BASE_CHAINS = Set.of("INPUT", "OUTPUT", "FORWARD", "PREROUTING", "POSTROUTING");
}
