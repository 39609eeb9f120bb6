package io.speedling.core;

import io.speedling.core.internal.AgentOptions;
import io.speedling.core.internal.AgentPayload;
import io.speedling.core.internal.LocalNode;
import io.speedling.core.internal.SshAgentLauncher;
import io.speedling.core.internal.Threads;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;

/**
 * An inventory of named nodes with roles and data, connected: the entry point of
 * speedling-core. Connecting starts an agent on every SSH node in parallel (its
 * jars are uploaded once and cached on the node by content hash).
 *
 * <pre>{@code
 * try (Fleet fleet = Fleet.builder()
 *         .node(NodeSpec.ssh("controller-01", SshTarget.of("10.0.0.5").identity(key)).roles("controller"))
 *         .node(NodeSpec.ssh("worker-01", SshTarget.of("10.0.0.6").identity(key)).roles("worker"))
 *         .hostKeys(HostKeyPolicy.TRUST_ON_FIRST_USE)   // nodes created a minute ago
 *         .ship(MyFunctions.class)                      // jar or class dir holding your RemoteFunctions
 *         .connect()) {
 *     Map<String, CommandResult> up = fleet.all().call(Sh.of("uptime"));
 *     fleet.node("controller-01").call(Sh.of("systemctl restart keystone"));
 * }
 * }</pre>
 */
public final class Fleet implements AutoCloseable {
    private final Map<String, Node> nodes;

    private Fleet(Map<String, Node> nodes) {
        this.nodes = nodes;
    }

    /**
     * Lets SSH use the JDK's crypto instead of BouncyCastle's for key exchange and signatures too
     * (the ciphers that carry calls and streams use the JDK's AES-GCM either way). A cached
     * bootstrap of 3 loopback nodes took a median 0.42-0.48 s with it against 0.46-0.52 s without
     * (2026-12-04). It changes sshj's setting for the whole JVM, every sshj user in it included, so
     * speedling leaves it alone unless asked: its command line tools, the JUnit extension and the
     * benchmarks ask.
     */
    public static void preferJdkCrypto() {
        io.speedling.core.internal.SshAgentLauncher.preferJdkCrypto();
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * A fleet of nodes made elsewhere: an implementation of {@link Node} of your own, or a test
     * double such as core's test-support {@code RecordingNode}. Closing the fleet closes them.
     *
     * @throws IllegalArgumentException when there are none, or two share a name
     */
    public static Fleet of(Collection<? extends Node> nodes) {
        if (nodes.isEmpty()) {
            throw new IllegalArgumentException("a fleet needs at least one node");
        }
        Map<String, Node> byName = new LinkedHashMap<>();
        for (Node n : nodes) {
            if (byName.putIfAbsent(n.name(), n) != null) {
                throw new IllegalArgumentException("two nodes are named '" + n.name() + "'; node names are unique");
            }
        }
        return new Fleet(byName);
    }

    /**
     * @throws SpeedlingException naming the node and the names there are, when there is no such node
     */
    public Node node(String name) {
        Node n = nodes.get(name);
        if (n == null) {
            throw new SpeedlingException("no node named '" + name + "' in this fleet; nodes: " + nodes.keySet());
        }
        return n;
    }

    public List<Node> nodes() {
        return List.copyOf(nodes.values());
    }

    /** Every node. */
    public NodeGroup all() {
        return NodeGroup.of(nodes.values());
    }

    /** The nodes with the role (possibly none). */
    public NodeGroup withRole(String role) {
        return NodeGroup.of(nodes.values().stream().filter(n -> n.roles().contains(role)).toList());
    }

    /** The named nodes, in the order given. */
    public NodeGroup group(String... names) {
        return NodeGroup.of(Arrays.stream(names).map(this::node).toList());
    }

    /** Stops every agent and closes every connection. */
    @Override
    public void close() {
        for (Node n : nodes.values()) {
            n.close();
        }
    }

    /** Collects the inventory and the settings; {@link #connect()} makes the fleet. */
    public static final class Builder {
        private final Map<String, NodeSpec> specs = new LinkedHashMap<>();
        private final List<Path> ship = new ArrayList<>();
        private Path stateDir = defaultStateDir();
        private Path knownHosts;
        private HostKeyPolicy hostKeys = HostKeyPolicy.STRICT;
        private String agentDir = "~/.cache/speedling/agent";
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration bootstrapTimeout = Duration.ofSeconds(60);
        private Duration heartbeat = Duration.ofSeconds(1);
        // 5 s was too short on a loaded 2-core machine: a whole-cloud deploy saw both sides silent for
        // 8.8 s (the controller's own JVM stalled) and lost a healthy node
        private Duration heartbeatTimeout = Duration.ofSeconds(15);
        private boolean shipRuntime = true;
        private Path runtimeCache;
        private List<String> jvmOptions = List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k",
                "-XX:-UsePerfData", "-Xshare:auto",
                // the agent's own code and jackson-core compile after a tenth of the usual calls: the first
                // rounds of a new agent ran 24-43 % faster, its start cost no more (a lower threshold for every
                // method cost 0.13 s of CPU per start); "quiet" keeps the JVM from echoing these to stdout,
                // which carries the protocol
                "-XX:CompileCommand=quiet", "-XX:CompileCommand=CompileThresholdScaling,io.speedling.*::*,0.1",
                "-XX:CompileCommand=CompileThresholdScaling,com.fasterxml.*::*,0.1");

        private Builder() {
        }

        /** Adds a node; names must be unique. */
        public Builder node(NodeSpec spec) {
            Objects.requireNonNull(spec, "spec");
            NodeSpec old = specs.putIfAbsent(spec.name(), spec);
            if (old != null) {
                throw new SpeedlingException("two nodes are named '" + spec.name() + "' (" + describe(old) + " and "
                        + describe(spec) + "); node names must be unique");
            }
            return this;
        }

        public Builder nodes(Collection<NodeSpec> all) {
            all.forEach(this::node);
            return this;
        }

        private static String describe(NodeSpec s) {
            return s.isLocal() ? "local" : s.ssh().toString();
        }

        /** Ships the jars or class directories that hold these classes to every agent. */
        public Builder ship(Class<?>... classes) {
            for (Class<?> c : classes) {
                ship.add(AgentPayload.codeSource(c));
            }
            return this;
        }

        /** Ships these jars or class directories to every agent. */
        public Builder ship(Path... jarsOrDirs) {
            ship.addAll(List.of(jarsOrDirs));
            return this;
        }

        /** Where speedling keeps its state; the known_hosts file lives here unless set apart. */
        public Builder stateDir(Path dir) {
            this.stateDir = Objects.requireNonNull(dir);
            return this;
        }

        /** The known_hosts file; default {@code STATE_DIR/known_hosts}. */
        public Builder knownHosts(Path file) {
            this.knownHosts = Objects.requireNonNull(file);
            return this;
        }

        public Builder hostKeys(HostKeyPolicy policy) {
            this.hostKeys = Objects.requireNonNull(policy);
            return this;
        }

        /**
         * Where agents cache their jars on the nodes; {@code ~/} is the login user's home
         * and {@code {node}} the node name. Default {@code ~/.cache/speedling/agent}.
         */
        public Builder agentDir(String dir) {
            this.agentDir = Objects.requireNonNull(dir);
            return this;
        }

        public Builder connectTimeout(Duration d) {
            this.connectTimeout = positive(d, "connect timeout");
            return this;
        }

        public Builder bootstrapTimeout(Duration d) {
            this.bootstrapTimeout = positive(d, "bootstrap timeout");
            return this;
        }

        /** Heartbeat interval, and the silence after which a node counts as lost (default 1 s and 15 s). */
        public Builder heartbeat(Duration interval, Duration timeout) {
            this.heartbeat = positive(interval, "heartbeat interval");
            this.heartbeatTimeout = positive(timeout, "heartbeat timeout");
            if (timeout.compareTo(interval.multipliedBy(2)) < 0) {
                throw new IllegalArgumentException("heartbeat timeout " + timeout
                        + " must be at least twice the interval " + interval);
            }
            return this;
        }

        /**
         * Whether a node without Java 17+ gets a runtime from the controller (default true): linked
         * with jlink from the controller's JDK with just the modules the agent needs (about 25 MiB
         * packed), kept in the {@link #runtimeCache(Path) runtime cache} and on the node beside the
         * agent's jars, so only the first connect uploads it. With false, such a node is refused, saying what to install.
         * A node whose {@link SshTarget#java(String) java} is named is never given one.
         */
        public Builder shipRuntime(boolean ship) {
            this.shipRuntime = ship;
            return this;
        }

        /**
         * Where runtimes for nodes without Java are linked and kept; default {@code runtimes} under
         * {@link StateHome} (shared by every fleet of the machine: linking takes seconds).
         */
        public Builder runtimeCache(Path dir) {
            this.runtimeCache = Objects.requireNonNull(dir);
            return this;
        }

        /**
         * Options for the agents' JVMs, replacing the defaults (serial GC, C1 only, 512 KiB stacks, no perf
         * data, class-data sharing, and lower compile thresholds for the agent's own code and jackson-core).
         * The agent's stdout carries the protocol: an option that makes the JVM print there (such as
         * {@code -XX:CompileCommand} without {@code -XX:CompileCommand=quiet}) stops the agent's start.
         */
        public Builder jvmOptions(String... options) {
            this.jvmOptions = List.of(options);
            return this;
        }

        private static Duration positive(Duration d, String what) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(what + " must be positive, got " + d);
            }
            return d;
        }

        private static Path defaultStateDir() {
            return StateHome.root();
        }

        /**
         * Connects every node in parallel and starts its agent.
         *
         * @throws FanOutException listing each node that could not be connected (the
         *     others are closed again)
         */
        public Fleet connect() {
            if (specs.isEmpty()) {
                throw new SpeedlingException("the fleet has no nodes; add some with Fleet.builder().node(...)");
            }
            boolean anySsh = specs.values().stream().anyMatch(s -> !s.isLocal());
            AgentOptions options = new AgentOptions(knownHosts != null ? knownHosts : stateDir.resolve("known_hosts"),
                    hostKeys, agentDir, connectTimeout, bootstrapTimeout, heartbeat, heartbeatTimeout, jvmOptions,
                    anySsh ? AgentPayload.build(ship) : null, !shipRuntime ? null : runtimeCache != null ? runtimeCache : StateHome.dir("runtimes"));
            ExecutorService pool = Threads.cached("speedling-connect");
            try {
                Map<String, CompletableFuture<Node>> futures = new LinkedHashMap<>();
                for (NodeSpec s : specs.values()) {
                    futures.put(s.name(), CompletableFuture.supplyAsync(
                            () -> s.isLocal() ? new LocalNode(s) : SshAgentLauncher.launch(s, options), pool));
                }
                FanOut<Node> all = new FanOut<>("connect", futures);
                try {
                    return new Fleet(new LinkedHashMap<>(all.join()));
                } catch (FanOutException e) {
                    e.successes().values().forEach(n -> ((Node) n).close());
                    throw e;
                }
            } finally {
                pool.shutdown();
            }
        }
    }
}
