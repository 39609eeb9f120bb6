package io.speedling.virt.nodes;

import io.speedling.core.Fleet;
import io.speedling.core.NodeSpec;
import java.nio.file.Path;
import java.util.List;

/**
 * The running nodes of one slice with what a caller needs to reach them: node handles for
 * speedling-core, the slice's SSH key and known_hosts, and an OpenSSH config for humans
 * ({@code ssh -F <sshConfig> controller-01}). Closing it wipes the slice unless {@link #keep()} was
 * called.
 */
public final class Cluster implements AutoCloseable {
    private final NodeProvider provider;
    private final SlicePlan plan;
    private final List<VirtNode> nodes;
    private final Path dir;
    private volatile boolean keep;

    public Cluster(NodeProvider provider, SlicePlan plan, List<VirtNode> nodes, Path dir) {
        this.provider = provider;
        this.plan = plan;
        this.nodes = List.copyOf(nodes);
        this.dir = dir;
    }

    public SlicePlan plan() {
        return plan;
    }

    public int slice() {
        return plan.slice();
    }

    public List<VirtNode> nodes() {
        return nodes;
    }

    public VirtNode node(String name) {
        return nodes.stream().filter(n -> n.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("slice " + slice() + " has no node '" + name + "'"));
    }

    public List<NodeSpec> specs() {
        return nodes.stream().map(VirtNode::spec).toList();
    }

    public Path dir() {
        return dir;
    }

    public Path identity() {
        return dir.resolve("id_ed25519");
    }

    public Path knownHosts() {
        return dir.resolve("known_hosts");
    }

    public Path sshConfig() {
        return dir.resolve("ssh_config");
    }

    /** A fleet builder with these nodes and their known host keys; add ship(...) and connect(). */
    public Fleet.Builder fleet() {
        return fleet(n -> java.util.Set.of());
    }

    /**
     * The same, each node carrying also the roles {@code roles} gives it (what it plays in the
     * deployment, e.g. {@code controller}, {@code compute}), beside the name of its kind of node,
     * so {@code fleet.withRole("compute")} finds the nodes the deployment calls so.
     */
    public Fleet.Builder fleet(java.util.function.Function<String, java.util.Set<String>> roles) {
        return fleet(roles, nodes.stream().map(VirtNode::name).toList());
    }

    /** The same with only the nodes named in {@code only} (say, those still up while another is down). */
    public Fleet.Builder fleet(java.util.function.Function<String, java.util.Set<String>> roles,
                               java.util.Collection<String> only) {
        only.forEach(this::node);
        List<NodeSpec> specs = nodes.stream().filter(n -> only.contains(n.name()))
                .map(n -> n.spec().roles(roles.apply(n.name()).toArray(String[]::new))).toList();
        return Fleet.builder().nodes(specs).knownHosts(knownHosts()).stateDir(dir.resolve("core"));
    }

    /** Leaves the nodes running when this handle is closed. */
    public Cluster keep() {
        keep = true;
        return this;
    }

    /** Stops the nodes (clean shutdown) and keeps their disks; {@link NodeProvider#start} boots them again. */
    public void stop() {
        provider.stop(slice());
    }

    /**
     * Cuts node {@code name} off at once, as a power failure would; {@link #start()} boots it again.
     *
     * @throws IllegalArgumentException when the cluster has no such node
     */
    public void powerOff(String name) {
        node(name);
        provider.powerOff(slice(), name);
    }

    /** Boots whichever of the nodes are down (after {@link #stop()} or {@link #powerOff}) and waits for SSH. */
    public Cluster start() {
        return provider.start(plan);
    }

    /** Removes the nodes, their networks and every file of the slice. */
    public void wipe() {
        provider.wipe(slice());
    }

    @Override
    public void close() {
        if (!keep) {
            wipe();
        }
    }
}
