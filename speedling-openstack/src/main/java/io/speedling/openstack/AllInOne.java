package io.speedling.openstack;

import io.speedling.core.Fleet;
import io.speedling.core.SpeedlingException;
import io.speedling.openstack.components.Nova;
import io.speedling.virt.RunLock;
import io.speedling.virt.image.Image;
import io.speedling.virt.image.ImageCache;
import io.speedling.virt.image.Recipe;
import io.speedling.virt.nodes.Cluster;
import io.speedling.virt.nodes.NodeProvider;
import io.speedling.virt.nodes.SlicePlan;
import io.speedling.virt.nodes.SliceRecord;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link CloudSpec} on its nodes: the spec's cloud (all-in-one, or a controller with workers and
 * storage nodes) on the nodes of one slice of the spec's provider (nspawn containers or libvirt
 * VMs), deployed from the OpenStack image layer. {@link
 * #image()} builds or reuses the image, {@link #nodes} reuses the slice's running nodes or boots new
 * ones, {@link #deployer()} deploys onto them (a rerun converges). What the cloud is lives in the
 * spec alone; this class adds where it runs (image cache, node provider) and, for callers who wire
 * components by hand, the {@link Cloud} to deploy instead of the spec's.
 */
public final class AllInOne {
    private static final Logger LOG = LoggerFactory.getLogger("speedling.cloud");
    public static final String NODE = "controller-01";

    /**
     * The services a caller can select by name, each with the services it needs. Selecting one
     * selects what it needs; the openstack client always comes along (verification uses it).
     */
    public static final Map<String, List<String>> SERVICES = ServiceRegistry.builtIn().needs();

    /** The most worker nodes a slice's cloud gets here (each is a full container of the image). */
    public static final int MAX_WORKERS = 8;

    /** The spec, with its name and slice fixed. */
    private final CloudSpec spec;
    private final ImageCache cache;
    /** The spec's provider, opened on first use (a libvirt one connects): null until then. */
    private NodeProvider provider;
    /** Components wired by the caller, deployed instead of the spec's; null for the spec's own. */
    private final Cloud custom;

    private AllInOne(CloudSpec spec, ImageCache cache, NodeProvider provider, Cloud custom) {
        this.spec = spec;
        this.cache = cache;
        this.provider = provider;
        this.custom = custom;
    }

    /**
     * The cloud of {@code spec} (its name and slice, or those derived from its hash), with the
     * default image cache and the spec's node provider ({@link CloudSpec#provider}).
     */
    public static AllInOne of(CloudSpec spec) {
        return new AllInOne(spec.name(spec.cloudName()).slice(spec.sliceOrDerived()), ImageCache.openDefault(), null,
                null);
    }

    /** The spec (with the name and slice this cloud uses). */
    public CloudSpec spec() {
        return spec;
    }

    /**
     * The nodes and their roles: {@code controllers} controllers ({@code controller-01} ...; with
     * more than one, a virtual IP in front of them, {@link #virtualIp}, and the first {@value
     * #NETWORK_NODES} network nodes too), {@code workers} worker nodes
     * with nova-compute and the network agent (0: compute on the controllers) and {@code storage}
     * storage nodes (0: storage on the controllers).
     */
    static Inventory inventory(int controllers, int workers, int storage, int slice) {
        Map<String, Set<String>> roles = new java.util.LinkedHashMap<>();
        List<String> ctl = controllerNames(controllers);
        for (String n : ctl) {
            Set<String> r = new java.util.LinkedHashSet<>(List.of(Inventory.CONTROLLER));
            if (workers == 0) {
                r.add(Inventory.COMPUTE);
            }
            if (controllers > 1 && ctl.indexOf(n) < NETWORK_NODES) {
                r.add(Inventory.NETWORK);
            }
            roles.put(n, Set.copyOf(r));
        }
        workerNames(workers).forEach(n -> roles.put(n, Set.of(Inventory.COMPUTE)));
        storageNames(storage).forEach(n -> roles.put(n, Set.of(Inventory.STORAGE)));
        Inventory inv = Inventory.of(roles);
        return controllers > 1 ? inv.virtualIp(virtualIp(slice)) : inv;
    }

    /**
     * The address in front of several controllers on slice {@code slice}: the management network's
     * first spare address ({@code .250}), held by one controller at a time.
     */
    public static String virtualIp(int slice) {
        SlicePlan p = SlicePlan.slice(slice).node("controller", 1).build();
        return p.spareAddress4(p.network("mgmt"), 0);
    }

    /**
     * Network nodes among several controllers (the first ones): two serve every network's DHCP and
     * fail routers over between them when one dies; a third would only add agents that burn CPU.
     */
    static final int NETWORK_NODES = 2;

    /** The most controllers of a cloud here. */
    public static final int MAX_CONTROLLERS = 5;

    /**
     * {@code n} controllers when that is 1, 3 or 5; else refused: with an even number the database
     * and the message queue lose their majority when half of them fail.
     */
    static int requireControllers(int n) {
        if (n < 1 || n > MAX_CONTROLLERS || n % 2 == 0) {
            throw new IllegalArgumentException("controllers " + n + " is not possible: give 1, 3 or 5 (an odd number "
                    + "keeps a majority for the Galera database and RabbitMQ's quorum queues when one controller fails)");
        }
        return n;
    }

    /** The image cache the node image comes from. */
    public AllInOne cache(ImageCache c) {
        return new AllInOne(spec, java.util.Objects.requireNonNull(c, "cache"), provider, custom);
    }

    /** The provider the nodes come from (one of the spec's kind: {@link CloudSpec#provider}). */
    public AllInOne provider(NodeProvider p) {
        return new AllInOne(spec, cache, java.util.Objects.requireNonNull(p, "provider"), custom);
    }

    /** {@code n} nodes of a kind, 0 to {@link #MAX_WORKERS}; else refused naming {@code what} and what 0 means. */
    static int requireNodes(String what, int n, String zeroMeans) {
        if (n < 0 || n > MAX_WORKERS) {
            throw new IllegalArgumentException(what + " " + n + " is out of range: give 0 (" + zeroMeans + ") to "
                    + MAX_WORKERS);
        }
        return n;
    }

    /** Names of the controllers, {@code controller-01} ... */
    public static List<String> controllerNames(int n) {
        return names("controller", n);
    }

    /** Names of the storage nodes, {@code storage-01} ... */
    public static List<String> storageNames(int n) {
        return names("storage", n);
    }

    /** Names of the worker nodes, {@code worker-01} ... */
    public static List<String> workerNames(int n) {
        return names("worker", n);
    }

    private static List<String> names(String kind, int n) {
        List<String> out = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            out.add(String.format("%s-%02d", kind, i));
        }
        return out;
    }

    /** Every node of the cloud: the controllers first. */
    public List<String> nodeNames() {
        List<String> out = new ArrayList<>(controllerNames(spec.controllers()));
        out.addAll(workerNames(spec.workers()));
        out.addAll(storageNames(spec.storage()));
        return out;
    }

    /**
     * Deploys {@code cloud} instead of the spec's, e.g. components wired by hand (see {@link
     * Cloud#toBuilder()}); to add a component of one's own, registering it ({@link #registry}) is
     * simpler. Its name must be this one's and its inventory must place services on exactly this
     * cloud's nodes ({@link #nodeNames()}).
     */
    public AllInOne cloud(Cloud cloud) {
        if (!cloud.name().equals(name())) {
            throw new IllegalArgumentException("cloud " + cloud.name() + " given to all-in-one " + name()
                    + ": the names must match (the name picks the state directory)");
        }
        if (!cloud.inventory().nodes().equals(new java.util.LinkedHashSet<>(nodeNames()))) {
            throw new IllegalArgumentException("cloud " + cloud.name() + " places services on "
                    + cloud.inventory().nodes() + ", but this slice's nodes are " + nodeNames());
        }
        return new AllInOne(spec, cache, provider, cloud);
    }

    public String name() {
        return spec.name();
    }

    public int slice() {
        return spec.slice();
    }

    /** The components to deploy: the spec's ({@link CloudSpec#cloud()}) or those given to {@link #cloud(Cloud)}. */
    public Cloud cloud() {
        return custom != null ? custom : spec.cloud();
    }

    /**
     * The node image: the packages of this cloud's components, and of the services the user setting
     * {@value OpenStackImage#SHARED_SERVICES_SETTING} names (so clouds of different selections share
     * one image; components wired by hand ({@link #cloud(Cloud)}) always get their own).
     */
    public Recipe recipe() {
        List<String> shared = OpenStackImage.sharedServices(spec.release());
        Cloud cloud = cloud();
        if (custom != null || shared.isEmpty()) {
            return OpenStackImage.recipe(spec.provider().base(cloud.release().suite()), cloud);
        }
        Set<String> all = new java.util.LinkedHashSet<>(spec.services());
        all.addAll(spec.registry().select(shared));
        // with the libvirt driver's packages where the release offers it: its packages are the fake
        // driver's and more, so clouds of both drivers share the image
        String driver = all.contains("nova") && spec.release().offersLibvirt() ? Nova.LIBVIRT : spec.computeDriver();
        return OpenStackImage.recipe(spec.provider().base(spec.release().suite()), spec.registry().cloud(name(), spec.inventory(), all,
                driver, spec.release()));
    }

    public SlicePlan plan() {
        SlicePlan.Builder b = SlicePlan.slice(slice()).node("controller", spec.controllers());
        if (spec.workers() > 0) {
            b.node("worker", spec.workers());
        }
        if (spec.storage() > 0) {
            b.node("storage", spec.storage());
        }
        return b.build();
    }

    public Image image() {
        return cache.build(recipe());
    }

    /** Builds or reuses the image, telling {@code listener} about every layer. */
    public Image image(io.speedling.virt.image.BuildListener listener) {
        return cache.build(recipe(), listener);
    }

    /** The provider the nodes come from: the one given, else the spec's kind opened on first use. */
    public synchronized NodeProvider provider() {
        if (provider == null) {
            provider = spec.provider().open(cache);
        }
        return provider;
    }

    /** Closes the provider if it was opened (a provider that never opened is not opened to be closed). */
    synchronized void closeProvider() {
        if (provider != null) {
            provider.close();
        }
    }

    /**
     * The slice's running nodes when they are this cloud's, of this topology and image (a rerun);
     * else fresh ones from the image, replacing what the slice held before.
     *
     * @throws SpeedlingException when the slice holds another cloud: that one is never replaced
     */
    public Cluster nodes(Image image) {
        checkSlice();
        return running(image).orElseGet(() -> fresh(image));
    }

    /**
     * The slice's nodes if they are of this topology and image, those that stopped booted again; empty
     * (with a warning saying why, when the slice holds other nodes or they do not boot) otherwise. The
     * caller checked the slice's owner.
     */
    Optional<Cluster> running(Image image) {
        Optional<SliceRecord> rec = provider().record(slice());
        if (rec.isEmpty()) {
            return Optional.empty();
        }
        String owner = rec.get().owner();
        String why = owner != null && !owner.equals(name()) ? "it holds cloud " + owner
                : rec.get().difference(nodeNames(), image.key());
        if (why != null) {
            LOG.warn("slice {} of cloud {} is replaced: {}", slice(), name(), why);
            return Optional.empty();
        }
        Optional<Cluster> running = provider().existing(plan());
        if (running.isEmpty()) {
            // nodes of the kept cloud stopped (the host rebooted, a node was powered off): they boot again
            // from their own disks and the deploy converges, keeping the cloud's servers and data; the
            // cloud is replaced only when they cannot boot
            try {
                LOG.info("slice {}: booting the stopped nodes of the kept cloud {}", slice(), name());
                running = Optional.of(provider().start(plan()));
            } catch (RuntimeException e) {
                LOG.warn("slice {} of cloud {} is replaced: its stopped nodes did not boot: {}", slice(), name(),
                        e.getMessage());
                return Optional.empty();
            }
        }
        if (owner == null) {
            provider().claim(slice(), name());  // made before owners were recorded; checkSlice() found it this cloud's
        }
        return running;
    }

    /** Fresh nodes from the image, replacing whatever the slice held; claimed for this cloud. */
    Cluster fresh(Image image) {
        Cluster c = provider().cycle(plan(), image);
        provider().claim(slice(), name());
        return c;
    }

    /**
     * Refuses, before any slow work, a slice that another cloud claimed (or that holds nodes no
     * cloud claimed while this cloud never ran), saying how to free it.
     */
    public void checkSlice() {
        provider().record(slice()).ifPresent(this::requireNotAnother);
    }

    /** Refuses a slice that another cloud claimed, saying how to free it. */
    void requireNotAnother(SliceRecord rec) {
        if (rec.owner() == null && !Files.isRegularFile(Deployer.defaultStateDir(name()).resolve(Deployer.MARKER))) {
            throw new SpeedlingException("slice " + slice() + " holds nodes " + rec.nodes() + " that no cloud claimed, "
                    + "and cloud '" + name() + "' was never deployed here; they are left as they are: wipe the slice "
                    + "first (speedling-examples/bin/cloud --wipe --name <its cloud> --slice " + slice() + ") or give "
                    + "this cloud another slice (--slice)");
        }
        if (rec.owner() != null && !rec.owner().equals(name())) {
            throw new SpeedlingException("slice " + slice() + " holds cloud '" + rec.owner() + "', not '" + name()
                    + "'; it is left as it is: wipe it first (speedling-examples/bin/cloud --wipe --name "
                    + rec.owner() + " --slice " + slice() + ") or give this cloud another slice (--slice)");
        }
    }

    /** A hold on something exclusive, released by {@link #close()}. */
    public interface Hold extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Holds this cloud's name and its slice until closed (or this process ends): a second run of
     * the same cloud, or of any cloud on the same slice, is refused at once naming the holder.
     */
    public Hold lock() {
        RunLock cloudLock = RunLock.acquire(Deployer.lockFile(name()), "cloud " + name(), "cloud " + name()
                + " on slice " + slice(), "give another --name");
        try {
            RunLock sliceLock = provider().lock(slice(), "cloud " + name());
            return () -> {
                sliceLock.close();
                cloudLock.close();
            };
        } catch (RuntimeException e) {
            cloudLock.close();
            throw e;
        }
    }

    /** Removes the cloud's node and slice, refusing a slice that another cloud claimed. */
    public void wipeOwn() {
        checkSlice();
        wipe();
    }

    public Deployer deployer() {
        return Deployer.of(cloud(), Deployer.defaultStateDir(name()));
    }

    /**
     * Connects to the cluster's nodes with the OpenStack remote functions shipped; each node carries
     * the roles the inventory gives it ({@code fleet.withRole(Inventory.COMPUTE)} finds the compute
     * nodes, all-in-one or not) beside its kind of node.
     */
    public static Fleet connect(Cluster cluster) {
        return connect(cluster, cluster.nodes().stream().map(n -> n.name()).toList());
    }

    /** The same with only the nodes named in {@code only} (say, while another is powered off). */
    public static Fleet connect(Cluster cluster, Collection<String> only) {
        java.util.function.ToIntFunction<String> count = kind -> (int) cluster.nodes().stream()
                .filter(n -> n.name().startsWith(kind + "-")).count();
        Inventory inv = inventory(count.applyAsInt("controller"), count.applyAsInt("worker"), count.applyAsInt("storage"),
                cluster.slice());
        return cluster.fleet(inv::rolesOf, only).ship(AllInOne.class).connect();
    }

    /**
     * Removes the cloud's node and slice; its state directory (secrets, openrc) goes too, if a
     * deploy made it (see {@link Deployer}): whatever else is found there is left and named.
     */
    public void wipe() {
        provider().wipe(slice());
        Path stateDir = Deployer.defaultStateDir(name());
        Deployer.removeStateDir(stateDir);
        RunLock.removeIfFree(Deployer.lockFile(name()));
    }
}
