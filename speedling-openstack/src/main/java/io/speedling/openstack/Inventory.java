package io.speedling.openstack;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which node plays which role: {@code controller} (databases, APIs, schedulers, network agents)
 * and {@code compute} (nova-compute and its network agent). All-in-one puts both on one node;
 * controller + workers puts compute on the workers.
 *
 * <p>Per-node config overrides ({@link #config(String, String, String, String, String)}) are merged
 * last onto the files the components write on that node, so they win over the components' own
 * settings; a node whose file changed restarts the services using it, as any config change does.
 * An override of a file no component writes on that node fails the deploy, naming the files they do
 * write.
 */
public final class Inventory {
    public static final String CONTROLLER = "controller";
    public static final String COMPUTE = "compute";

    /** Nodes that run the network agents (DHCP, L3, metadata); controllers when no node has it. */
    public static final String NETWORK = "network";
    /** Nodes that hold storage (Ceph OSDs, Swift's rings, Cinder volumes). */
    public static final String STORAGE = "storage";

    private final Map<String, Set<String>> nodeRoles;
    /** node, then file path, then section, then key: the value. */
    private final Map<String, Map<String, Map<String, Map<String, String>>>> config;
    private final String virtualIp;

    private Inventory(Map<String, Set<String>> nodeRoles) {
        this(nodeRoles, Map.of(), null);
    }

    private Inventory(Map<String, Set<String>> nodeRoles,
                      Map<String, Map<String, Map<String, Map<String, String>>>> config, String virtualIp) {
        this.nodeRoles = nodeRoles;
        this.config = config;
        this.virtualIp = virtualIp;
    }

    /**
     * Nodes with the roles each plays. Roles are open: besides {@link #CONTROLLER},
     * {@link #COMPUTE}, {@link #NETWORK} and {@link #STORAGE}, components may look for their own.
     *
     * @throws IllegalArgumentException for a node without roles, a malformed node or role name, or
     *     no controller
     */
    public static Inventory of(Map<String, Set<String>> nodeRoles) {
        Map<String, Set<String>> m = new LinkedHashMap<>();
        nodeRoles.forEach((n, roles) -> {
            if (n == null || !n.matches("[a-z][a-z0-9-]{0,62}")) {
                throw new IllegalArgumentException("node name '" + n + "' must be a host name: lower-case letters, "
                        + "digits and '-'");
            }
            if (roles.isEmpty()) {
                throw new IllegalArgumentException("node " + n + " has no roles; give it at least one of "
                        + List.of(CONTROLLER, COMPUTE, NETWORK, STORAGE));
            }
            roles.forEach(r -> {
                if (r == null || !r.matches("[a-z][a-z0-9-]{0,30}")) {
                    throw new IllegalArgumentException("node " + n + ": role '" + r + "' must be lower-case letters, "
                            + "digits or '-'");
                }
            });
            m.put(n, Set.copyOf(roles));
        });
        if (m.values().stream().noneMatch(r -> r.contains(CONTROLLER))) {
            throw new IllegalArgumentException("no node of " + m.keySet() + " is a " + CONTROLLER
                    + ": one runs the databases and APIs");
        }
        return new Inventory(java.util.Collections.unmodifiableMap(m));
    }

    /**
     * This inventory with the address clients use for the controllers' services: a virtual IP
     * (held by one controller at a time, in front of all of them). Needed when there are several
     * controllers.
     */
    public Inventory virtualIp(String ip) {
        if (ip == null || !ip.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
            throw new IllegalArgumentException("virtual IP '" + ip + "' is not an IPv4 address");
        }
        return new Inventory(nodeRoles, config, ip);
    }

    /** The virtual IP in front of the controllers, if there is one. */
    public java.util.Optional<String> virtualIp() {
        return java.util.Optional.ofNullable(virtualIp);
    }

    /** The roles of {@code node} (empty for a node not in the inventory). */
    public Set<String> rolesOf(String node) {
        return nodeRoles.getOrDefault(node, Set.of());
    }

    public static Inventory allInOne(String node) {
        return new Inventory(Map.of(node, Set.of(CONTROLLER, COMPUTE)));
    }

    /**
     * This inventory with {@code key = value} in {@code [section]} of INI file {@code path} on
     * {@code node}, e.g. {@code config("controller-01", "/etc/nova/nova.conf", "DEFAULT", "debug",
     * "true")}.
     */
    public Inventory config(String node, String path, String section, String key, String value) {
        return config(node, path, Map.of(section, Map.of(key, value)));
    }

    /** This inventory with each of {@code overrides} in force ({@link ConfigOverride}). */
    public Inventory config(java.util.Collection<ConfigOverride> overrides) {
        Inventory out = this;
        for (ConfigOverride o : overrides) {
            out = out.config(o.node(), o.path(), o.section(), o.key(), o.value());
        }
        return out;
    }

    /** This inventory with {@code settings} (section, then key and value) merged into {@code path} on {@code node}. */
    public Inventory config(String node, String path, Map<String, Map<String, String>> settings) {
        if (!nodeRoles.containsKey(node)) {
            throw new IllegalArgumentException("cannot override config on node '" + node
                    + "': the inventory has no such node; its nodes are " + nodeRoles.keySet());
        }
        if (path == null || !path.matches("(/[A-Za-z0-9_.@+-]+)+") || !java.nio.file.Path.of(path).normalize()
                .toString().equals(path)) {
            throw new IllegalArgumentException("config override on node " + node + ": '" + path
                    + "' is not a normalised absolute file path (letters, digits and _ . @ + - between slashes, no "
                    + "'.' or '..' parts); give the INI file's full path, e.g. /etc/nova/nova.conf");
        }
        settings.forEach((section, kv) -> {
            requireIniWord(node, path, "section", section, SECTION);
            kv.forEach((k, v) -> {
                requireIniWord(node, path, "key in [" + section + "]", k, KEY);
                if (v == null || !v.equals(v.strip()) || v.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
                    throw new IllegalArgumentException("config override " + node + ":" + path + " [" + section + "] "
                            + k + ": the value must be one line without control characters or spaces at its ends, "
                            + "got " + (v == null ? "null" : "'" + v.replaceAll("\\p{Cntrl}", "?") + "'"));
                }
            });
        });
        Map<String, Map<String, Map<String, Map<String, String>>>> all = new LinkedHashMap<>(config);
        Map<String, Map<String, Map<String, String>>> files = new LinkedHashMap<>(all.getOrDefault(node, Map.of()));
        files.put(path, overlay(files.getOrDefault(path, Map.of()), settings));
        all.put(node, Map.copyOf(files));
        return new Inventory(nodeRoles, Map.copyOf(all), virtualIp);
    }

    /** A section name: a word of the file's own kind ({@code DEFAULT}, {@code filter:authtoken}, {@code mysqld}). */
    private static final String SECTION = "[A-Za-z0-9_][A-Za-z0-9_.:-]*";
    /** A key: never starting with a comment or header character, never holding '=' or spaces. */
    private static final String KEY = "[A-Za-z0-9_][A-Za-z0-9_.-]*";

    private static void requireIniWord(String node, String path, String what, String word, String pattern) {
        if (word == null || !word.matches(pattern) || word.length() > 100) {
            throw new IllegalArgumentException("config override " + node + ":" + path + ": '"
                    + (word == null ? null : word.replaceAll("\\p{Cntrl}", "?")) + "' is not a valid " + what
                    + " (letters, digits, '_', '.', '-'" + (pattern.equals(SECTION) ? ", ':'" : "")
                    + "; not starting with '#', ';' or '[')");
        }
    }

    /** The overrides of file {@code path} on {@code node} (section, then key and value); empty when none. */
    public Map<String, Map<String, String>> configFor(String node, String path) {
        return config.getOrDefault(node, Map.of()).getOrDefault(path, Map.of());
    }

    /** Every overridden file per node. */
    public Map<String, Set<String>> configFiles() {
        Map<String, Set<String>> out = new LinkedHashMap<>();
        config.forEach((n, files) -> out.put(n, files.keySet()));
        return out;
    }

    /** {@code base} with every key of {@code over} set to its value there (a new map; neither is changed). */
    public static Map<String, Map<String, String>> overlay(Map<String, Map<String, String>> base,
                                                          Map<String, Map<String, String>> over) {
        if (over.isEmpty()) {
            return base;
        }
        Map<String, Map<String, String>> out = new LinkedHashMap<>();
        base.forEach((s, kv) -> out.put(s, new LinkedHashMap<>(kv)));
        over.forEach((s, kv) -> out.computeIfAbsent(s, x -> new LinkedHashMap<>()).putAll(kv));
        out.replaceAll((s, kv) -> java.util.Collections.unmodifiableMap(kv));
        return java.util.Collections.unmodifiableMap(out);
    }

    public static Inventory controllerAndWorkers(String controller, List<String> workers) {
        Map<String, Set<String>> m = new LinkedHashMap<>();
        m.put(controller, Set.of(CONTROLLER));
        workers.forEach(w -> m.put(w, Set.of(COMPUTE)));
        return new Inventory(java.util.Collections.unmodifiableMap(m));
    }

    public List<String> nodesWith(String role) {
        List<String> out = new ArrayList<>();
        nodeRoles.forEach((n, r) -> {
            if (r.contains(role)) {
                out.add(n);
            }
        });
        return out;
    }

    /**
     * The first controller: where one-off work runs (db syncs, Keystone's bootstrap and
     * registration). With several controllers, clients reach them through the {@link #virtualIp}.
     */
    public String controller() {
        List<String> c = nodesWith(CONTROLLER);
        if (c.isEmpty()) {
            throw new IllegalStateException("the inventory has no controller: " + nodeRoles);
        }
        if (c.size() > 1 && virtualIp == null) {
            throw new IllegalStateException("the inventory has controllers " + c + " but no virtual IP in front of "
                    + "them: give it one (Inventory.virtualIp)");
        }
        return c.get(0);
    }

    public Set<String> nodes() {
        return nodeRoles.keySet();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Inventory i && i.nodeRoles.equals(nodeRoles) && i.config.equals(config)
                && java.util.Objects.equals(i.virtualIp, virtualIp);
    }

    @Override
    public int hashCode() {
        return (nodeRoles.hashCode() * 31 + config.hashCode()) * 31 + java.util.Objects.hashCode(virtualIp);
    }

    @Override
    public String toString() {
        return "Inventory" + nodeRoles + (virtualIp == null ? "" : " vip " + virtualIp)
                + (config.isEmpty() ? "" : " config " + config);
    }
}
