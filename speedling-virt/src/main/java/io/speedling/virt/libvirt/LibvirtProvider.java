package io.speedling.virt.libvirt;

import io.speedling.virt.HostTool;
import io.speedling.virt.VirtException;
import io.speedling.virt.image.BootDisk;
import io.speedling.virt.image.Image;
import io.speedling.virt.image.ImageCache;
import io.speedling.virt.internal.SliceBook;
import io.speedling.virt.internal.Exec;
import io.speedling.virt.internal.Mounts;
import io.speedling.virt.nodes.Cluster;
import io.speedling.virt.nodes.NetworkDef;
import io.speedling.virt.nodes.NodeProvider;
import io.speedling.virt.nodes.PlannedNode;
import io.speedling.virt.internal.SliceFiles;
import io.speedling.virt.nodes.SlicePlan;
import io.speedling.virt.internal.SliceState;
import io.speedling.virt.nodes.VirtNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.LibvirtException;
import org.libvirt.Network;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Nodes as libvirt domains (libvirt-java over JNA): one libvirt network per slice network with
 * DHCP host entries for the nodes' MACs, and per node a qcow2 overlay on the image's boot disk,
 * extra disks from its role, a NoCloud seed and direct kernel boot. {@code qemu:///system} runs
 * real guests; {@code test:///path/node.xml} is libvirt's in-process test driver (nothing boots).
 *
 * <p>Every network and domain carries a {@code <metadata>} owner element with the slice number;
 * {@link #wipe(int)} removes only objects that have it, plus what the slice's state records.
 */
public final class LibvirtProvider implements NodeProvider, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger("speedling.libvirt");

    private final String uri;
    private final Connect conn;
    private final SliceBook book;
    /** Where {@link #cycle} makes boot disks, and their size: set by {@link #bootDisks}. */
    private ImageCache diskCache;
    private int rootGiB;
    private VirtType type = VirtType.QEMU;
    private Duration sshTimeout = Duration.ofMinutes(5);
    private boolean qemuAsRoot;

    private LibvirtProvider(String uri, Connect conn, Path stateDir) {
        this.uri = uri;
        this.conn = conn;
        this.book = new SliceBook(stateDir);
    }

    /** Opens a libvirt connection ({@code qemu:///system}, {@code test:///...}); libvirt0 must be installed. */
    public static LibvirtProvider connect(String uri, Path stateDir) {
        try {
            return new LibvirtProvider(uri, new Connect(uri), stateDir);
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            throw new VirtException("cannot load libvirt's C library (libvirt.so.0): install the Debian package "
                    + "'libvirt0' (apt-get install libvirt0)", e);
        } catch (LibvirtException e) {
            throw new VirtException("cannot connect to libvirt at " + uri + ": " + e.getMessage()
                    + (uri.startsWith("qemu") ? " (is libvirtd running? apt-get install libvirt-daemon-system "
                    + "qemu-system-x86, then start libvirtd)" : ""), e);
        }
    }

    /**
     * Why this host cannot boot libvirt nodes from speedling's images (a missing program with its
     * package), or empty when it can; whether libvirtd answers is found out by {@link #connect}.
     */
    public static Optional<String> hostProblem() {
        List<HostTool> missing = HostTool.missing(HostTool.QEMU_SYSTEM, HostTool.QEMU_IMG, HostTool.MKFS_EXT4,
                HostTool.MKFS_VFAT, HostTool.MCOPY, HostTool.SSH_KEYGEN, HostTool.MOUNT);
        if (missing.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of("cannot boot libvirt nodes: " + HostTool.describeMissing(missing, "libvirt-daemon-system"));
    }

    /** KVM or TCG for the domains this provider defines (default {@link VirtType#QEMU}: TCG works everywhere). */
    public LibvirtProvider type(VirtType t) {
        this.type = t;
        return this;
    }

    /**
     * Runs this provider's qemu processes as root without relabelling files (a static DAC label on
     * each domain), for disks under directories the libvirt-qemu user cannot enter (like /root).
     */
    public LibvirtProvider qemuAsRoot(boolean asRoot) {
        this.qemuAsRoot = asRoot;
        return this;
    }

    public LibvirtProvider sshTimeout(Duration d) {
        this.sshTimeout = d;
        return this;
    }

    /**
     * Where {@link #cycle} gets a node's boot disk from an image: {@code cache}'s boot disks of
     * {@code rootGiB} (a sparse qcow2).
     */
    public LibvirtProvider bootDisks(ImageCache cache, int rootGiB) {
        if (rootGiB < 1 || rootGiB > 2048) {
            throw new IllegalArgumentException("boot disk size " + rootGiB + " GiB is outside 1-2048 GiB");
        }
        this.diskCache = java.util.Objects.requireNonNull(cache, "cache");
        this.rootGiB = rootGiB;
        return this;
    }

    /** The directory holding this provider's slices. */
    public Path stateDir() {
        return book.stateDir();
    }

    /**
     * Wipes what an earlier run left of the slice, then boots {@code plan}'s domains from the boot
     * disk of {@code image} (made once per image in the cache given to {@link #bootDisks}).
     */
    @Override
    public Cluster cycle(SlicePlan plan, Image image) {
        if (diskCache == null) {
            throw new IllegalStateException("libvirt nodes boot from a disk made of the image: call bootDisks(cache, "
                    + "sizeGiB) with the image's cache first");
        }
        BootDisk disk = diskCache.bootDisk(image, rootGiB);
        wipe(plan.slice());
        return up(plan, disk);
    }

    @Override
    public Optional<Cluster> existing(SlicePlan plan) {
        if (book.state(plan.slice()).isEmpty()) {
            return Optional.empty();
        }
        Path dir = sliceDir(plan.slice());
        try {
            List<VirtNode> nodes = new ArrayList<>();
            List<String> ours = ourDomains(plan.slice());
            for (PlannedNode n : plan.nodes()) {
                String name = LibvirtXml.domainName(plan, n);
                if (!ours.contains(name) || conn.domainLookupByName(name).isActive() == 0) {
                    return Optional.empty();
                }
                nodes.add(new VirtNode(n, SliceFiles.readHostKey(dir, n), dir.resolve("id_ed25519")));
            }
            return Optional.of(new Cluster(this, plan, nodes, dir));
        } catch (LibvirtException e) {
            throw new VirtException("cannot look at slice " + plan.slice() + " on " + uri + ": " + e.getMessage(), e);
        }
    }

    @Override
    public io.speedling.virt.RunLock lock(int slice, String holder) {
        return book.lock(slice, holder);
    }

    @Override
    public Optional<io.speedling.virt.nodes.SliceRecord> record(int slice) {
        return book.record(slice);
    }

    @Override
    public void claim(int slice, String owner) {
        book.claim(slice, owner);
    }

    /** libvirt's connection, for this package's tests: libvirt types stay out of the public API. */
    Connect connection() {
        return conn;
    }

    private boolean isTestDriver() {
        return uri.startsWith("test:");
    }

    private Path sliceDir(int slice) {
        return book.dir(slice);
    }

    private Path stateFile(int slice) {
        return book.stateFile(slice);
    }

    /** Defines and starts the slice's networks and domains; on a real hypervisor waits until each answers SSH. */
    public Cluster up(SlicePlan plan, BootDisk disk) {
        int slice = plan.slice();
        if (SliceState.read(stateFile(slice)).isPresent()) {
            throw new VirtException("slice " + slice + " already exists (" + stateFile(slice) + "): wipe it first");
        }
        if (!isTestDriver()) {
            for (HostTool t : List.of(HostTool.QEMU_IMG, HostTool.MKFS_VFAT, HostTool.MCOPY, HostTool.SSH_KEYGEN)) {
                t.require();
            }
        }
        Path dir = sliceDir(slice);
        SliceState state = new SliceState();
        state.slice = slice;
        state.provider = "libvirt";
        state.uri = uri;
        state.imageKey = disk.imageKey();
        long t0 = System.nanoTime();
        try {
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            state.write(stateFile(slice));
            SliceFiles.ensureKey(dir);
            for (NetworkDef net : plan.networks()) {
                String name = LibvirtXml.networkName(plan, net);
                checkFree(name, plan.bridge(net), slice);
                state.networks.add(name);
                state.write(stateFile(slice));
                Network nw = conn.networkDefineXML(LibvirtXml.network(plan, net));
                nw.create();
            }
            List<VirtNode> nodes = new ArrayList<>();
            for (PlannedNode n : plan.nodes()) {
                nodes.add(defineNode(plan, n, disk, state, dir));
            }
            SliceFiles.writeAccessFiles(nodes, dir);
            for (PlannedNode n : plan.nodes()) {
                conn.domainLookupByName(LibvirtXml.domainName(plan, n)).create();
            }
            if (!isTestDriver()) {
                for (PlannedNode n : plan.nodes()) {
                    awaitSsh(n, dir.resolve("nodes").resolve(n.name()).resolve("console.log"), 0);
                }
                LOG.info("slice {}: {} domains answer SSH after {} s", slice, nodes.size(),
                        String.format("%.1f", (System.nanoTime() - t0) / 1e9));
            }
            return new Cluster(this, plan, nodes, dir);
        } catch (LibvirtException e) {
            wipeQuietly(slice, e);
            throw new VirtException("libvirt refused slice " + slice + ": " + e.getMessage(), e);
        } catch (IOException e) {
            wipeQuietly(slice, e);
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            wipeQuietly(slice, e);
            throw e;
        }
    }

    private void checkFree(String network, String bridge, int slice) throws LibvirtException {
        for (String name : allNetworks()) {
            if (name.equals(network)) {
                String xml = conn.networkLookupByName(name).getXMLDesc(0);
                throw new VirtException("libvirt network " + name + " already exists"
                        + (ownedBy(xml, slice) ? " (left by an earlier run of slice " + slice + "; wipe the slice)"
                        : " and was not made by speedling for slice " + slice + ": speedling leaves it alone; use "
                        + "another slice number or remove it yourself"));
            }
        }
        if (!isTestDriver() && Files.exists(Path.of("/sys/class/net", bridge))) {
            throw new VirtException("bridge " + bridge + " already exists on this host (another provider's slice "
                    + slice + "?): speedling leaves it alone; wipe that slice or use another number");
        }
    }

    private VirtNode defineNode(SlicePlan plan, PlannedNode n, BootDisk disk, SliceState state, Path dir)
            throws IOException, LibvirtException {
        Path nodeDir = Files.createDirectories(dir.resolve("nodes").resolve(n.name()));
        String domain = LibvirtXml.domainName(plan, n);
        state.domains.add(domain);
        SliceState.NodeState ns = new SliceState.NodeState();
        ns.machine = domain;
        ns.address = n.primary().ipv4();
        state.nodes.put(n.name(), ns);
        state.write(stateFile(plan.slice()));

        Path hostKey = SliceFiles.newHostKey(dir, n);
        String pub = Files.readString(Path.of(hostKey + ".pub")).trim();

        Path root = nodeDir.resolve("root.qcow2");
        List<Path> extra = new ArrayList<>();
        Path seed = nodeDir.resolve("seed.img");
        if (isTestDriver()) {
            // the test driver reads none of these; don't spend time making them
            extra.addAll(n.role().extraDisksGiB().stream().map(i -> nodeDir.resolve("disk" + i + ".qcow2")).toList());
        } else {
            Exec.of(HostTool.QEMU_IMG.require(), "create", "-q", "-f", "qcow2", "-F", "qcow2", "-b",
                    disk.qcow2().toString(), root.toString()).run();
            int i = 1;
            for (int gib : n.role().extraDisksGiB()) {
                Path d = nodeDir.resolve("disk" + i++ + ".qcow2");
                Exec.of(HostTool.QEMU_IMG.require(), "create", "-q", "-f", "qcow2", d.toString(), gib + "G").run();
                extra.add(d);
            }
            CloudInitSeed.write(seed, n, domain + "-" + UUID.randomUUID(), Files.readString(dir.resolve("id_ed25519.pub")),
                    Files.readString(hostKey), pub);
        }
        String xml = LibvirtXml.domain(plan, n, type, new LibvirtXml.DomainFiles(root, extra, seed, disk.kernel(),
                disk.initrd(), nodeDir.resolve("console.log")), qemuAsRoot);
        conn.domainDefineXML(xml);
        return new VirtNode(n, SliceFiles.readHostKey(dir, n), dir.resolve("id_ed25519"));
    }

    /** What cloud-init prints on the console when its last stage of a boot is done. */
    static final String CLOUD_INIT_DONE = "finished at";

    /**
     * Waits until the node answers SSH and cloud-init has finished this boot ({@code console} past
     * {@code from}, its length before the boot): cloud-init restarts sshd once it wrote the node's
     * host key, and a connection made before that is reset.
     */
    private void awaitSsh(PlannedNode n, Path console, long from) {
        long deadline = System.nanoTime() + sshTimeout.toNanos();
        SliceFiles.awaitSsh(n, sshTimeout, 500, console);
        while (!cloudInitDone(console, from)) {
            if (System.nanoTime() > deadline) {
                throw new VirtException("node " + n.name() + " answers SSH but cloud-init did not finish within "
                        + sshTimeout.toSeconds() + " s; last lines of its console:\n" + SliceFiles.tail(console, 30));
            }
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new VirtException("interrupted while waiting for " + n.name(), e);
            }
        }
    }

    static boolean cloudInitDone(Path console, long from) {
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(console.toFile(), "r")) {
            if (f.length() <= from) {
                return false;
            }
            f.seek(from);
            byte[] b = new byte[(int) Math.min(f.length() - from, 16 << 20)];
            f.readFully(b);
            return new String(b, java.nio.charset.StandardCharsets.ISO_8859_1).lines()
                    .anyMatch(l -> l.contains("Cloud-init v.") && l.contains(CLOUD_INIT_DONE));
        } catch (IOException e) {
            return false;  // not written yet
        }
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0;
        }
    }

    @Override
    public Cluster start(SlicePlan plan) {
        SliceState s = SliceState.read(stateFile(plan.slice())).orElseThrow(() -> new VirtException(
                "slice " + plan.slice() + " does not exist; create it with up()"));
        Path dir = sliceDir(plan.slice());
        try {
            List<VirtNode> nodes = new ArrayList<>();
            java.util.Map<String, Long> consoleBefore = new java.util.HashMap<>();
            for (PlannedNode n : plan.nodes()) {
                Domain d = conn.domainLookupByName(LibvirtXml.domainName(plan, n));
                if (d.isActive() == 0) {
                    consoleBefore.put(n.name(), size(dir.resolve("nodes").resolve(n.name()).resolve("console.log")));
                    d.create();
                }
                nodes.add(new VirtNode(n, SliceFiles.readHostKey(dir, n), dir.resolve("id_ed25519")));
            }
            if (!isTestDriver()) {
                for (PlannedNode n : plan.nodes()) {
                    // a node that kept running finished its boot long ago: its whole console counts
                    awaitSsh(n, dir.resolve("nodes").resolve(n.name()).resolve("console.log"),
                            consoleBefore.getOrDefault(n.name(), 0L));
                }
            }
            return new Cluster(this, plan, nodes, dir);
        } catch (LibvirtException e) {
            throw new VirtException("cannot start slice " + plan.slice() + " (" + s.domains + "): " + e.getMessage(), e);
        }
    }

    /** Pulls the plug of one domain (libvirt's destroy), keeping its disk. */
    @Override
    public void powerOff(int slice, String node) {
        try {
            String wanted = "spd" + slice + "-" + node;
            List<String> ours = ourDomains(slice);
            if (!ours.contains(wanted)) {
                throw new VirtException("slice " + slice + " has no node '" + node + "' (its domains are " + ours + ")");
            }
            Domain d = conn.domainLookupByName(wanted);
            if (d.isActive() != 0) {
                d.destroy();
            }
        } catch (LibvirtException e) {
            throw new VirtException("cannot power off node " + node + " of slice " + slice + ": " + e.getMessage(), e);
        }
    }

    /** Asks each domain to shut down (ACPI) and waits up to a minute, then pulls the plug. */
    @Override
    public void stop(int slice) {
        try {
            List<Domain> running = new ArrayList<>();
            for (String name : ourDomains(slice)) {
                Domain d = conn.domainLookupByName(name);
                if (d.isActive() != 0) {
                    d.shutdown();
                    running.add(d);
                }
            }
            long deadline = System.nanoTime() + 60_000_000_000L;
            for (Domain d : running) {
                while (d.isActive() != 0 && System.nanoTime() < deadline) {
                    Thread.sleep(200);
                }
                if (d.isActive() != 0) {
                    d.destroy();
                }
            }
        } catch (LibvirtException e) {
            throw new VirtException("cannot stop slice " + slice + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Destroys and undefines the slice's domains and networks (those recorded in its state and
     * those carrying its owner metadata), then removes the slice directory with its disks.
     */
    @Override
    public void wipe(int slice) {
        try {
            for (String name : ourDomains(slice)) {
                Domain d = conn.domainLookupByName(name);
                if (d.isActive() != 0) {
                    d.destroy();
                }
                d.undefine();
            }
            for (String name : ourNetworks(slice)) {
                Network n = conn.networkLookupByName(name);
                if (n.isActive() != 0) {
                    n.destroy();
                }
                n.undefine();
            }
        } catch (LibvirtException e) {
            throw new VirtException("cannot wipe slice " + slice + " from " + uri + ": " + e.getMessage(), e);
        }
        Mounts.removeTree(sliceDir(slice));
    }

    /** Domains that carry this slice's owner metadata, running or not. */
    public List<String> ourDomains(int slice) {
        try {
            return ourDomainsOrThrow(slice);
        } catch (LibvirtException e) {
            throw new VirtException("cannot list the domains of " + uri + ": " + e.getMessage(), e);
        }
    }

    private List<String> ourDomainsOrThrow(int slice) throws LibvirtException {
        Set<String> names = new LinkedHashSet<>();
        for (int id : conn.listDomains()) {
            names.add(conn.domainLookupByID(id).getName());
        }
        names.addAll(List.of(conn.listDefinedDomains()));
        List<String> ours = new ArrayList<>();
        for (String name : names) {
            if (ownedBy(conn.domainLookupByName(name).getXMLDesc(0), slice)) {
                ours.add(name);
            }
        }
        return ours;
    }

    public List<String> ourNetworks(int slice) {
        try {
            return ourNetworksOrThrow(slice);
        } catch (LibvirtException e) {
            throw new VirtException("cannot list the networks of " + uri + ": " + e.getMessage(), e);
        }
    }

    private List<String> ourNetworksOrThrow(int slice) throws LibvirtException {
        List<String> ours = new ArrayList<>();
        for (String name : allNetworks()) {
            if (ownedBy(conn.networkLookupByName(name).getXMLDesc(0), slice)) {
                ours.add(name);
            }
        }
        return ours;
    }

    private List<String> allNetworks() throws LibvirtException {
        Set<String> names = new LinkedHashSet<>(List.of(conn.listNetworks()));
        names.addAll(List.of(conn.listDefinedNetworks()));
        return new ArrayList<>(names);
    }

    static boolean ownedBy(String xml, int slice) {
        int i = xml.indexOf(LibvirtXml.NS);
        if (i < 0) {
            return false;
        }
        int end = xml.indexOf('>', i);
        String element = xml.substring(Math.max(0, xml.lastIndexOf('<', i)), end < 0 ? xml.length() : end);
        return element.contains("slice=\"" + slice + "\"") || element.contains("slice='" + slice + "'");
    }

    private void wipeQuietly(int slice, Exception cause) {
        try {
            wipe(slice);
        } catch (RuntimeException w) {
            cause.addSuppressed(w);
        }
    }

    public Optional<String> domainXml(String name) {
        try {
            return Optional.of(conn.domainLookupByName(name).getXMLDesc(0));
        } catch (LibvirtException e) {
            return Optional.empty();
        }
    }

    @Override
    public void close() {
        try {
            conn.close();
        } catch (LibvirtException e) {
            LOG.warn("closing the libvirt connection to {} failed: {}", uri, e.getMessage());
        }
    }
}
