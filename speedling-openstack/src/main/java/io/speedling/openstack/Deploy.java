package io.speedling.openstack;

import io.speedling.core.Fleet;
import io.speedling.core.Node;
import io.speedling.core.NodeGroup;
import io.speedling.core.RemoteFunction;
import io.speedling.core.tasks.Task;
import io.speedling.core.tasks.TaskBody;
import io.speedling.core.tasks.TaskGraph;
import io.speedling.openstack.remote.MergeIni;
import io.speedling.openstack.remote.Services;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What components see while they plan: the task graph, the nodes by role, the secrets and the
 * addresses to put in config. Also collects what the run did to services (for the rerun check).
 */
public final class Deploy {
    private final Cloud cloud;
    private final Fleet fleet;
    private final Secrets secrets;
    private final TaskGraph graph;
    private final Map<String, Task<?>> tasks = new ConcurrentHashMap<>();
    private final Map<String, String> serviceActions = new ConcurrentHashMap<>();
    private final List<String> changedFiles = java.util.Collections.synchronizedList(new ArrayList<>());
    /** node, then the INI files merged there in this run */
    private final Map<String, java.util.Set<String>> mergedFiles = new ConcurrentHashMap<>();
    private volatile Endpoints endpoints;
    /** The package installs every task planned from now on waits for (those of the planning component). */
    private volatile List<Task<?>> waitFor = List.of();

    Deploy(Cloud cloud, Fleet fleet, Secrets secrets, TaskGraph graph) {
        this.cloud = cloud;
        this.fleet = fleet;
        this.secrets = secrets;
        this.graph = graph;
    }

    /**
     * What a thread-safe API's uwsgi ini gets (Keystone, Glance, Placement): one process (each
     * imports the whole service: on 2 cores the packaged 8-16 make start-up the deploy's critical
     * path) with threads for concurrent requests. Every uwsgi API also says {@code Connection:
     * close}: its http-socket closes each connection after the response anyway, and a client that
     * reuses one in that moment gets "connection reset by peer" (Tempest's cleanup did, under load).
     */
    public static final Map<String, Map<String, String>> UWSGI = Map.of("uwsgi", Map.of("processes", "1",
            "threads", "8", "add-header", "Connection: close"));

    /**
     * What an API that monkey-patches with eventlet gets (Nova, Neutron): one process, one thread.
     * Eventlet's hub cannot wake a green thread from another native thread ("greenlet.error:
     * cannot switch to a different thread"); with uwsgi threads Neutron's API left requests
     * unanswered for good (seen: a router interface removal that never returned).
     */
    public static final Map<String, Map<String, String>> UWSGI_EVENTLET = Map.of("uwsgi", Map.of("processes", "1",
            "threads", "1", "add-header", "Connection: close"));

    public Cloud cloud() {
        return cloud;
    }

    /** Makes every task planned from now on wait for {@code installs} too (the planning component's packages). */
    void waitFor(List<Task<?>> installs) {
        this.waitFor = List.copyOf(installs);
    }

    public Fleet fleet() {
        return fleet;
    }

    public String secret(String name) {
        return secrets.get(name);
    }

    /** The controller node. */
    public Node controller() {
        return fleet.node(cloud.inventory().controller());
    }

    public NodeGroup withRole(String role) {
        return fleet.group(cloud.inventory().nodesWith(role).toArray(String[]::new));
    }

    /**
     * Where the services are reached and where the controllers serve ({@link Endpoints}): every URL a
     * component writes comes from here.
     */
    public Endpoints endpoints() {
        Endpoints e = endpoints;
        if (e == null) {
            List<String> controllers = cloud.inventory().nodesWith(Inventory.CONTROLLER).stream()
                    .map(n -> ipOf(fleet.node(n))).toList();
            e = new Endpoints(cloud.inventory().virtualIp().orElse(controllers.get(0)), controllers);
            endpoints = e;
        }
        return e;
    }

    public String ipOf(Node n) {
        Object ip = n.data().get("mgmt_ipv4");
        if (ip == null) {
            ip = n.data().get("ip");
        }
        if (ip == null) {
            throw new IllegalStateException("node " + n.name() + " has no address in its data (mgmt_ipv4 or ip)");
        }
        return ip.toString();
    }

    public <T> Task<T> task(String name, TaskBody<T> body, Task<?>... deps) {
        List<Task<?>> installs = waitFor;
        if (!installs.isEmpty()) {
            List<Task<?>> all = new ArrayList<>(List.of(deps));
            installs.stream().filter(i -> !all.contains(i)).forEach(all::add);
            deps = all.toArray(Task<?>[]::new);
        }
        Task<T> t = graph.task(name, body, deps);
        tasks.put(name, t);
        return t;
    }

    /**
     * Task {@code t} with its own limit instead of the deploy's ({@link Deployer#taskTimeout}),
     * for a task known to take long (Tempest's run).
     */
    public <T> Task<T> limit(Task<T> t, java.time.Duration limit) {
        return graph.limit(t, limit);
    }

    @SuppressWarnings("unchecked")
    public <T> Task<T> task(String name) {
        Task<?> t = tasks.get(name);
        if (t == null) {
            throw new IllegalStateException("no task '" + name + "' has been planned (a component's plan refers to a "
                    + "component that is not part of the cloud, or plans in the wrong order)");
        }
        return (Task<T>) t;
    }

    public boolean has(String name) {
        return tasks.containsKey(name);
    }

    /**
     * Merges INI settings on every node of the group, with the other components' extensions of that
     * file and the inventory's overrides on top; true when any node's file changed.
     */
    public boolean ini(NodeGroup nodes, String path, Map<String, Map<String, String>> settings, String group) {
        if (nodes.names().stream().allMatch(n -> cloud.inventory().configFor(n, path).isEmpty())) {
            merged(nodes, path);
            return tally(path, nodes.call(new MergeIni(path, Inventory.overlay(settings, extensionsOf(path)), "root",
                    group, 0640)));
        }
        return callEachIni(nodes, path, n -> settings, group);
    }

    /**
     * Merges per-node INI settings (addresses differ per node), with the other components'
     * extensions of that file and the inventory's overrides for that node on top; true when any
     * node's file changed.
     */
    public boolean callEachIni(NodeGroup nodes, String path,
                               java.util.function.Function<Node, Map<String, Map<String, String>>> perNode, String group) {
        return callEachIni(nodes, path, perNode, group, 0640);
    }

    /**
     * As {@link #callEachIni(NodeGroup, String, java.util.function.Function, String)}, for a file
     * others read too ({@code mode}, e.g. 0644 for a file without secrets that clients read).
     */
    public boolean callEachIni(NodeGroup nodes, String path,
                               java.util.function.Function<Node, Map<String, Map<String, String>>> perNode, String group,
                               int mode) {
        merged(nodes, path);
        Map<String, Map<String, String>> ext = extensionsOf(path);
        return tally(path, nodes.callEach(n -> new MergeIni(path, Inventory.overlay(Inventory.overlay(perNode.apply(n),
                ext), cloud.inventory().configFor(n.name(), path)), "root", group, mode)));
    }

    /** What the components add to file {@code path} ({@link Component#extensions}), in wiring order. */
    Map<String, Map<String, String>> extensionsOf(String path) {
        Map<String, Map<String, String>> out = Map.of();
        for (Component c : cloud.components()) {
            out = Inventory.overlay(out, c.extensions(this).getOrDefault(path, Map.of()));
        }
        return out;
    }

    private void merged(NodeGroup nodes, String path) {
        nodes.names().forEach(n -> mergedFiles.computeIfAbsent(n, x -> ConcurrentHashMap.newKeySet()).add(path));
    }

    private boolean tally(String path, Map<String, Boolean> changed) {
        changed.forEach((n, c) -> {
            if (c) {
                changedFiles.add(n + ":" + path);
            }
        });
        return changed.containsValue(Boolean.TRUE);
    }

    /**
     * The inventory's overrides of files no component wrote on that node, per node: overrides that
     * took no effect, most likely a typo in their path.
     */
    public Map<String, List<String>> unusedOverrides() {
        Map<String, List<String>> out = new java.util.LinkedHashMap<>();
        cloud.inventory().configFiles().forEach((n, files) -> files.forEach(f -> {
            if (!mergedFiles(n).contains(f)) {
                out.computeIfAbsent(n, x -> new ArrayList<>()).add(f);
            }
        }));
        return out;
    }

    /** The INI files merged on {@code node} in this run, sorted. */
    public java.util.SortedSet<String> mergedFiles(String node) {
        return new java.util.TreeSet<>(mergedFiles.getOrDefault(node, java.util.Set.of()));
    }

    /**
     * Starts (or restarts, when {@code restart}) the units on every node of the group.
     *
     * @return true when a unit was started or restarted on some node, or had just come up by itself
     *     (booting: what waits for a started unit's readiness waits for it too); false: all were running
     */
    public boolean services(NodeGroup nodes, boolean restart, String... units) {
        Map<String, Map<String, String>> done = nodes.call(new Services(List.of(units), restart));
        done.forEach((n, actions) -> actions.forEach((u, a) -> serviceActions.put(n + ":" + u, a)));
        return done.values().stream().anyMatch(actions -> actions.containsValue("started")
                || actions.containsValue("restarted") || actions.containsValue("booting"));
    }

    /**
     * Makes a uwsgi API of the Debian packages listen on each node's own address, port {@code port},
     * instead of on every address: the virtual IP's port on the same node is HAProxy's. Written to
     * {@code /etc/default/UNIT}, which the package's start script reads last; true when a node's
     * file changed (restart the unit).
     */
    public boolean listen(NodeGroup nodes, String unit, int port, String uwsgiIni) {
        return listen(nodes, unit, uwsgiIni, port);
    }

    /** As {@link #listen(NodeGroup, String, int, String)}, on several ports (a socket each). */
    public boolean listen(NodeGroup nodes, String unit, String uwsgiIni, int... ports) {
        return tally("/etc/default/" + unit, nodes.callEach(n -> {
            StringBuilder sockets = new StringBuilder();
            for (int port : ports) {
                sockets.append("--http-socket ").append(ipOf(n)).append(':').append(port).append(' ');
            }
            return io.speedling.core.functions.WriteFile.text("/etc/default/" + unit, "# written by speedling: serve "
                    + "on this node's own address; the cloud's address is " + endpoints().host() + "\nDAEMON_ARGS=\""
                    + sockets + "--ini " + uwsgiIni + "\"\n", io.speedling.core.FileSpec.mode(0644));
        }));
    }

    /**
     * The messaging settings every service that uses the message queue gets besides its {@link
     * #transportUrl}: with several controllers, quorum queues (replicated across the brokers, so a
     * controller's death loses no queued message).
     */
    public Map<String, Map<String, String>> messaging() {
        return endpoints().controllers().size() > 1
                ? Map.of("oslo_messaging_rabbit", Map.of("rabbit_quorum_queue", "true", "amqp_durable_queues", "true"))
                : Map.of();
    }

    public <R> R onController(RemoteFunction<R> f) {
        return controller().call(f);
    }

    public Map<String, String> serviceActions() {
        return Map.copyOf(serviceActions);
    }

    public List<String> changedFiles() {
        return List.copyOf(changedFiles);
    }

    /** The keystone_authtoken section every API service uses, for service user {@code user}. */
    public Map<String, String> authtoken(String user) {
        Endpoints e = endpoints();
        return Map.of("www_authenticate_uri", e.url(5000), "auth_url", e.url(5000),
                "memcached_servers", e.memcachedServers(), "auth_type", "password", "project_domain_name", "Default",
                "user_domain_name", "Default", "project_name", "service", "username", user,
                "password", secret("keystone-" + user), "region_name", cloud.region());
    }

    /** Credentials for a [section] that talks to another service as {@code user} (nova's [placement] ...). */
    public Map<String, String> serviceCredentials(String user) {
        return Map.of("auth_url", endpoints().url(5000), "auth_type", "password",
                "project_domain_name", "Default", "user_domain_name", "Default", "project_name", "service",
                "username", user, "password", secret("keystone-" + user), "region_name", cloud.region());
    }

    public String dbUrl(String db, String user) {
        return "mysql+pymysql://" + user + ":" + secret("db-" + user) + "@" + endpoints().sqlHost() + "/" + db;
    }

    public String transportUrl() {
        return endpoints().transportUrl("openstack", secret("rabbitmq-openstack"));
    }
}
