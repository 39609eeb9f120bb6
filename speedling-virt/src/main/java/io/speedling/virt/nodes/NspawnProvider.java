package io.speedling.virt.nodes;

import io.speedling.virt.HostTool;
import io.speedling.virt.RunLock;
import io.speedling.virt.VirtException;
import io.speedling.virt.image.Image;
import io.speedling.virt.internal.Mounts;
import io.speedling.virt.internal.ProcessId;
import io.speedling.virt.internal.SliceFiles;
import io.speedling.virt.internal.SliceState;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Nodes as systemd-nspawn system containers: systemd as PID 1 and sshd inside, a root stacked
 * with overlayfs on the image's layers plus a writable layer per node, and a network namespace of
 * its own (systemd-nspawn's private network) with one veth pair per network, the host ends joined
 * to the slice's host bridges and the node ends configured by a unit written into the node.
 *
 * <p>Everything it creates carries its marks: bridges {@code spd<slice>-<net>} with the alias
 * {@code speedling slice <n>}, veths {@code spd<slice>n<index>e<network>} with the same alias, machine
 * names {@code spd<slice>-<node>}, the nftables table
 * {@code speedling_s<slice>}, and the slice's state directory, in which every process is recorded by
 * PID and start time before anything else happens. {@link #wipe(int)} removes exactly that.
 */
public final class NspawnProvider implements NodeProvider {
    private static final Logger LOG = LoggerFactory.getLogger("speedling.nspawn");

    private final Path stateDir;
    private final List<String> extraArgs;
    private final Duration sshTimeout;
    private final HostNetwork network;
    private final io.speedling.virt.internal.SliceBook book;

    private NspawnProvider(Path stateDir, List<String> extraArgs, Duration sshTimeout) {
        this.stateDir = stateDir.toAbsolutePath().normalize();
        this.extraArgs = List.copyOf(extraArgs);
        this.sshTimeout = sshTimeout;
        this.network = new HostNetwork(stateDir);
        this.book = new io.speedling.virt.internal.SliceBook(stateDir);
    }

    /** A provider keeping slice state in {@code virt} under {@link io.speedling.core.StateHome}. */
    public static NspawnProvider create() {
        return create(io.speedling.core.StateHome.dir("virt"));
    }

    public static NspawnProvider create(Path stateDir) {
        return new NspawnProvider(stateDir, List.of(), Duration.ofSeconds(90));
    }

    /** Extra systemd-nspawn options for every node (capabilities, binds). */
    public NspawnProvider withNspawnArgs(String... args) {
        List<String> all = new ArrayList<>(extraArgs);
        all.addAll(List.of(args));
        return new NspawnProvider(stateDir, all, sshTimeout);
    }

    public NspawnProvider withSshTimeout(Duration d) {
        return new NspawnProvider(stateDir, extraArgs, d);
    }

    public Path stateDir() {
        return stateDir;
    }

    Path sliceDir(int slice) {
        return book.dir(slice);
    }

    private Path stateFile(int slice) {
        return book.stateFile(slice);
    }

    /** Checks the host can run nodes; throws naming what is missing and how to get it. */
    public static void checkHost() {
        hostProblem().ifPresent(p -> {
            throw new VirtException(p);
        });
    }

    /**
     * Why this host cannot run nspawn nodes (a missing program with its package, or not root), or
     * empty when it can. Used to skip work that needs nodes with a reason instead of failing deep inside.
     */
    public static Optional<String> hostProblem() {
        return hostProblem(HostTool.missing(HostTool.SYSTEMD_NSPAWN, HostTool.IP, HostTool.NFT, HostTool.SSH_KEYGEN,
                HostTool.MOUNT, HostTool.SETSID), isRoot(), System.getProperty("user.name"));
    }

    static Optional<String> hostProblem(List<HostTool> missing, boolean root, String user) {
        if (!missing.isEmpty()) {
            return Optional.of("cannot run nspawn nodes: " + HostTool.describeMissing(missing));
        }
        if (!root) {
            return Optional.of("nspawn nodes need root (mounts, network namespaces, bridges); this process runs as "
                    + user + ": run as root");
        }
        return Optional.empty();
    }

    private static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return line.split("\\s+")[2].equals("0");  // effective uid
                }
            }
        } catch (IOException e) {
            // no procfs: fall back to the name
        }
        return "root".equals(System.getProperty("user.name"));
    }

    @Override
    public Cluster cycle(SlicePlan plan, Image image) {
        wipe(plan.slice());
        return up(plan, image);
    }

    /** Creates and boots the slice's nodes and waits until each answers SSH. */
    public Cluster up(SlicePlan plan, Image image) {
        checkHost();
        int slice = plan.slice();
        if (SliceState.read(stateFile(slice)).isPresent()) {
            throw new VirtException("slice " + slice + " already exists (" + stateFile(slice) + "): reuse it with "
                    + "existing(" + slice + "), or wipe it first (cycle() does both)");
        }
        long t0 = System.nanoTime();
        Path dir = sliceDir(slice);
        SliceState state = new SliceState();
        state.slice = slice;
        state.imageKey = image.key();
        try {
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            state.write(stateFile(slice));
            SliceFiles.ensureKey(dir);
            network.create(plan, state, stateFile(slice));
            List<VirtNode> nodes = parallel(plan.nodes(), n -> createNode(plan, n, image, state, dir));
            SliceFiles.writeAccessFiles(nodes, dir);
            parallel(plan.nodes(), n -> {
                launch(plan, n, state, dir);
                awaitSsh(plan, n, dir);
                return n;
            });
            LOG.info("slice {}: {} nodes answer SSH after {} s", slice, nodes.size(),
                    String.format("%.1f", (System.nanoTime() - t0) / 1e9));
            return new Cluster(this, plan, nodes, dir);
        } catch (IOException e) {
            wipeQuietly(slice, e);
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            wipeQuietly(slice, e);
            throw e;
        }
    }

    private void wipeQuietly(int slice, Exception cause) {
        try {
            wipe(slice);
        } catch (RuntimeException w) {
            cause.addSuppressed(w);
        }
    }

    @Override
    public RunLock lock(int slice, String holder) {
        return book.lock(slice, holder);
    }

    @Override
    public Optional<SliceRecord> record(int slice) {
        return book.record(slice);
    }

    @Override
    public void claim(int slice, String owner) {
        book.claim(slice, owner);
    }

    @Override
    public Optional<Cluster> existing(SlicePlan plan) {
        Optional<SliceState> s = SliceState.read(stateFile(plan.slice()));
        if (s.isEmpty()) {
            return Optional.empty();
        }
        Path dir = sliceDir(plan.slice());
        List<VirtNode> nodes = new ArrayList<>();
        for (PlannedNode n : plan.nodes()) {
            SliceState.NodeState ns = s.get().nodes.get(n.name());
            if (ns == null || ns.nspawn == null || !ProcessId.parse(ns.nspawn).alive()) {
                return Optional.empty();
            }
            nodes.add(new VirtNode(n, SliceFiles.readHostKey(dir, n), dir.resolve("id_ed25519")));
        }
        return Optional.of(new Cluster(this, plan, nodes, dir));
    }

    // ---- nodes ----------------------------------------------------------------------------

    private static String machineName(int slice, PlannedNode n) {
        return "spd" + slice + "-" + n.name();
    }

    private VirtNode createNode(SlicePlan plan, PlannedNode n, Image image, SliceState state, Path dir)
            throws IOException {
        int slice = plan.slice();
        Path nodeDir = dir.resolve("nodes").resolve(n.name());
        Path upper = Files.createDirectories(nodeDir.resolve("upper"));
        Path work = Files.createDirectories(nodeDir.resolve("work"));
        Path root = Files.createDirectories(nodeDir.resolve("root"));
        SliceState.NodeState ns = new SliceState.NodeState();
        ns.machine = machineName(slice, n);
        ns.root = root.toString();
        ns.address = n.primary().ipv4();
        synchronized (state) {
            state.nodes.put(n.name(), ns);
            state.write(stateFile(slice));
        }
        image.mount(upper, work, root);

        // identity: host key, authorized key, names
        Path hostKey = SliceFiles.newHostKey(dir, n);
        Path etc = root.resolve("etc");
        SliceFiles.copyInto(hostKey, etc.resolve("ssh/ssh_host_ed25519_key"), "rw-------");
        SliceFiles.copyInto(Path.of(hostKey + ".pub"), etc.resolve("ssh/ssh_host_ed25519_key.pub"), "rw-r--r--");
        SliceFiles.write(etc.resolve("ssh/sshd_config.d/speedling.conf"), "# written by speedling-virt\n"
                + "HostKey /etc/ssh/ssh_host_ed25519_key\nUseDNS no\nPermitRootLogin prohibit-password\n", "rw-r--r--");
        Path sshDir = root.resolve("root/.ssh");
        Files.createDirectories(sshDir);
        Files.setPosixFilePermissions(sshDir, PosixFilePermissions.fromString("rwx------"));
        SliceFiles.write(sshDir.resolve("authorized_keys"), Files.readString(dir.resolve("id_ed25519.pub")), "rw-------");
        SliceFiles.write(etc.resolve("hostname"), n.name() + "\n", "rw-r--r--");
        StringBuilder hosts = new StringBuilder("127.0.0.1 localhost\n::1 localhost ip6-localhost ip6-loopback\n");
        for (PlannedNode peer : plan.nodes()) {
            for (NodeAddress a : peer.addresses()) {
                hosts.append(a.ipv4()).append(' ')
                        .append(a == peer.primary() ? peer.name() : peer.name() + "-" + a.network()).append('\n');
            }
        }
        SliceFiles.write(etc.resolve("hosts"), hosts.toString(), "rw-r--r--");
        SliceFiles.write(etc.resolve("machine-id"), UUID.randomUUID().toString().replace("-", "") + "\n", "r--r--r--");
        Path resolv = etc.resolve("resolv.conf");
        Files.deleteIfExists(resolv);
        SliceFiles.write(resolv, Files.readString(Path.of("/etc/resolv.conf")), "rw-r--r--");

        // addresses: a unit inside the node configures the veths systemd-nspawn gives it (eth0, eth1 ...)
        StringBuilder net = new StringBuilder("#!/bin/sh\n# written by speedling-virt: this node's place in slice "
                + slice + "\nset -e\nip link set lo up\n");
        for (NodeAddress a : n.addresses()) {
            net.append("ip link set dev ").append(a.iface()).append(" down\n")
                    .append("ip link set dev ").append(a.iface()).append(" address ").append(a.mac()).append('\n')
                    .append("ip addr replace ").append(a.ipv4()).append('/').append(a.ipv4Prefix()).append(" dev ")
                    .append(a.iface()).append('\n')
                    .append("ip -6 addr replace ").append(a.ipv6()).append('/').append(a.ipv6Prefix()).append(" dev ")
                    .append(a.iface()).append(" nodad\n")
                    .append("ip link set dev ").append(a.iface()).append(" up\n");
        }
        net.append("ip route replace default via ").append(n.primary().gateway4()).append('\n');
        SliceFiles.write(root.resolve("usr/local/sbin/speedling-network"), net.toString(), "rwxr-xr-x");
        // tried again should systemd fail to put it in its control group (exit 219/CGROUP), as it did when
        // the nodes shared one group (NodeCgroups); the script is idempotent
        SliceFiles.write(etc.resolve("systemd/system/speedling-network.service"), "[Unit]\n"
                + "Description=speedling-virt node addresses\nDefaultDependencies=no\n"
                + "Before=network-pre.target network.target ssh.service\nWants=network-pre.target\n"
                + "StartLimitIntervalSec=60\nStartLimitBurst=20\n\n"
                + "[Service]\nType=oneshot\nRemainAfterExit=yes\nExecStart=/usr/local/sbin/speedling-network\n"
                + "Restart=on-failure\nRestartSec=500ms\n\n"
                + "[Install]\nWantedBy=multi-user.target\n", "rw-r--r--");
        Path wants = Files.createDirectories(etc.resolve("systemd/system/multi-user.target.wants"));
        Path link = wants.resolve("speedling-network.service");
        Files.deleteIfExists(link);
        Files.createSymbolicLink(link, Path.of("../speedling-network.service"));
        synchronized (state) {
            for (NodeAddress a : n.addresses()) {
                ns.hostVeths.add(HostNetwork.hostVeth(plan, n, a));
            }
            state.write(stateFile(slice));
        }
        return new VirtNode(n, SliceFiles.readHostKey(dir, n), dir.resolve("id_ed25519"));
    }

    private void launch(SlicePlan plan, PlannedNode n, SliceState state, Path dir) throws IOException {
        SliceState.NodeState ns = state.nodes.get(n.name());
        Path nodeDir = dir.resolve("nodes").resolve(n.name());
        // in a control group of its own (NodeCgroups), then in a session of its own
        List<String> cmd = new ArrayList<>(List.of("sh", "-c", NodeCgroups.ENTER, "speedling-node",
                HostTool.SETSID.require(), HostTool.SYSTEMD_NSPAWN.require(),
                "--quiet", "--boot", "--register=no", "--keep-unit", "--machine=" + ns.machine,
                "--hostname=" + n.name(), "--resolv-conf=off", "--timezone=off", "--link-journal=no",
                "--console=read-only", "-D", ns.root));
        for (NodeAddress a : n.addresses()) {
            // a private network namespace with one veth pair per network, named by us on both ends
            cmd.add("--network-veth-extra=" + HostNetwork.hostVeth(plan, n, a) + ":" + a.iface());
        }
        cmd.addAll(extraArgs.stream().toList());
        cmd.add("--");
        cmd.add("systemd.unit=multi-user.target");
        File console = nodeDir.resolve("console.log").toFile();
        NodeCgroups.remove(ns.machine);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectInput(new File("/dev/null"))
                .redirectOutput(console).redirectErrorStream(true);
        pb.environment().put("SPEEDLING_CGROUPS", NodeCgroups.env(ns.machine));
        if (NodeCgroups.needsUnified(Path.of(ns.root))) {
            pb.environment().put("SYSTEMD_NSPAWN_UNIFIED_HIERARCHY", "1");
        }
        Process p = pb.start();
        ProcessId id = ProcessId.of(p.pid()).orElseThrow(() -> new VirtException("systemd-nspawn for " + n.name()
                + " exited at once; see " + console));
        synchronized (state) {
            ns.nspawn = id.toString();
            state.write(stateFile(state.slice));
        }
        // systemd-nspawn creates the pairs before the container's init runs; join the host ends to the bridges
        long deadline = System.nanoTime() + 20_000_000_000L;
        for (NodeAddress a : n.addresses()) {
            String veth = HostNetwork.hostVeth(plan, n, a);
            while (!Files.exists(Path.of("/sys/class/net", veth))) {
                if (!id.alive()) {
                    throw new VirtException("systemd-nspawn for " + n.name() + " exited while starting; its console:\n"
                            + SliceFiles.tail(console.toPath(), 20));
                }
                if (System.nanoTime() > deadline) {
                    throw new VirtException("systemd-nspawn for " + n.name() + " did not create " + veth
                            + " within 20 s; its console:\n" + SliceFiles.tail(console.toPath(), 20));
                }
                sleep(5);
            }
            HostNetwork.attach(veth, a.bridge(), plan.slice());
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VirtException("interrupted", e);
        }
    }

    private void awaitSsh(SlicePlan plan, PlannedNode n, Path dir) {
        try {
            SliceFiles.awaitSsh(n, sshTimeout, 50, dir.resolve("nodes").resolve(n.name()).resolve("console.log"));
        } catch (VirtException e) {
            // the console shows the node's side; say what the host's side of its links looked like
            StringBuilder host = new StringBuilder("\nits links on the host:");
            for (NodeAddress a : n.addresses()) {
                host.append(' ').append(HostNetwork.linkState(HostNetwork.hostVeth(plan, n, a), a.bridge()));
            }
            throw new VirtException(e.getMessage() + host, e);
        }
    }

    /** Boots the slice's nodes again after {@link #stop(int)} and waits for SSH. */
    @Override
    public Cluster start(SlicePlan plan) {
        SliceState state = SliceState.read(stateFile(plan.slice())).orElseThrow(() -> new VirtException(
                "slice " + plan.slice() + " does not exist; create it with up()"));
        Path dir = sliceDir(plan.slice());
        try {
            List<VirtNode> nodes = new ArrayList<>();
            for (PlannedNode n : plan.nodes()) {
                SliceState.NodeState ns = state.nodes.get(n.name());
                if (ns == null) {
                    throw new VirtException("node " + n.name() + " is not part of slice " + plan.slice());
                }
                if (ns.nspawn == null || !ProcessId.parse(ns.nspawn).alive()) {
                    launch(plan, n, state, dir);
                }
                nodes.add(new VirtNode(n, SliceFiles.readHostKey(dir, n), dir.resolve("id_ed25519")));
            }
            parallel(plan.nodes(), n -> {
                awaitSsh(plan, n, dir);
                return n;
            });
            return new Cluster(this, plan, nodes, dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Cuts node {@code name} of slice {@code slice} off at once, as a power failure would: every
     * process in it is killed, nothing shuts down cleanly; its disk and the slice stay, and {@link
     * #start} boots it again. For tests of how a cloud lives through a node's death.
     *
     * @throws VirtException when the slice has no such node
     */
    @Override
    public void powerOff(int slice, String name) {
        SliceState s = SliceState.read(stateFile(slice)).orElseThrow(() -> new VirtException("slice " + slice
                + " does not exist; nothing to power off"));
        SliceState.NodeState ns = s.nodes.get(name);
        if (ns == null) {
            throw new VirtException("slice " + slice + " has no node '" + name + "'; its nodes are " + s.nodes.keySet());
        }
        if (ns.nspawn != null) {
            killContainer(ProcessId.parse(ns.nspawn));
        }
        NodeCgroups.remove(ns.machine);
    }

    /** Shuts the nodes down cleanly (systemd poweroff), keeping their disks and networks. */
    @Override
    public void stop(int slice) {
        Optional<SliceState> s = SliceState.read(stateFile(slice));
        if (s.isEmpty()) {
            return;
        }
        List<ProcessId> stopping = new ArrayList<>();
        for (SliceState.NodeState ns : s.get().nodes.values()) {
            if (ns.nspawn != null) {
                ProcessId p = ProcessId.parse(ns.nspawn);
                // systemd-nspawn turns SIGTERM into a clean poweroff of the container
                if (p.signal("TERM")) {
                    stopping.add(p);
                }
            }
        }
        for (ProcessId p : stopping) {
            if (!p.awaitExit(60_000)) {
                killContainer(p);
            }
        }
        s.get().nodes.values().forEach(ns -> NodeCgroups.remove(ns.machine));
    }

    /**
     * Removes everything the slice's state records: containers (by recorded PID), mounts, network
     * namespaces, veths and bridges that carry the slice's alias, the nftables table, and the
     * slice directory. A slice that does not exist is a no-op.
     */
    @Override
    public void wipe(int slice) {
        Path file = stateFile(slice);
        Optional<SliceState> read;
        try {
            read = SliceState.read(file);
        } catch (VirtException e) {
            LOG.warn("slice {}: its record cannot be read ({}); removing what carries its marks instead", slice,
                    e.getMessage());
            read = Optional.empty();
        }
        if (read.isPresent()) {
            wipeRecorded(slice, read.get());
        }
        // what a crash left between a thing's creation and its record, or a lost record, is found by its marks
        sweepMarks(slice);
        Mounts.removeTree(sliceDir(slice));
    }

    private void wipeRecorded(int slice, SliceState s) {
        for (SliceState.NodeState ns : s.nodes.values()) {
            if (ns.nspawn != null) {
                killContainer(ProcessId.parse(ns.nspawn));
            }
        }
        for (SliceState.NodeState ns : s.nodes.values()) {
            NodeCgroups.remove(ns.machine);
            if (ns.root != null) {
                Mounts.unmountUnder(Path.of(ns.root));
            }
            for (String veth : ns.hostVeths) {
                // deleting the namespace removes the pair, a moment later
                if (HostNetwork.isOursOrUnmarked(veth, slice)) {
                    HostNetwork.deleteLink(veth, slice);
                }
            }
        }
        for (String br : s.bridges) {
            if (HostNetwork.isOursOrUnmarked(br, slice)) {
                HostNetwork.deleteLink(br, slice);
            }
        }
    }

    /**
     * Removes what carries the slice's marks: systemd-nspawn processes of machines {@code spd<slice>-*},
     * links with the slice's alias, its nftables table. Anything without those marks is left alone.
     */
    private void sweepMarks(int slice) {
        String machines = "spd" + slice + "-";
        for (ProcessId p : ProcessId.withArgument(a -> a.startsWith("--machine=" + machines), "systemd-nspawn")) {
            LOG.info("slice {}: stopping container process {} found by its machine name", slice, p.pid());
            killContainer(p);
        }
        File[] links = new File("/sys/class/net").listFiles();
        for (File l : links == null ? new File[0] : links) {
            if (HostNetwork.isOurs(l.getName(), slice)) {
                HostNetwork.deleteLink(l.getName(), slice);
            }
        }
        network.removeNat(slice);
        NodeCgroups.leftOver(machines).forEach(NodeCgroups::remove);
    }

    /** Kills the container's PID 1 (which ends its whole PID namespace), then systemd-nspawn itself. */
    private static void killContainer(ProcessId nspawn) {
        if (!nspawn.alive()) {
            return;
        }
        List<ProcessId> kids = nspawn.children();
        for (ProcessId k : kids) {
            k.signal("KILL");
        }
        if (!nspawn.awaitExit(5000)) {
            nspawn.signal("KILL");
            nspawn.awaitExit(5000);
        }
        for (ProcessId k : kids) {
            k.awaitExit(5000);
        }
    }

    // ---- helpers --------------------------------------------------------------------------

    private interface NodeWork<T> {
        T run(PlannedNode n) throws IOException;
    }

    private static <T> List<T> parallel(List<PlannedNode> nodes, NodeWork<T> work) {
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(8, Math.max(1, nodes.size())));
        try {
            List<CompletableFuture<T>> fs = new ArrayList<>();
            for (PlannedNode n : nodes) {
                fs.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        return work.run(n);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }, pool));
            }
            List<T> out = new ArrayList<>();
            for (CompletableFuture<T> f : fs) {
                try {
                    out.add(f.join());
                } catch (CompletionException e) {
                    throw e.getCause() instanceof RuntimeException r ? r : e;
                }
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }
}
