package io.speedling.openstack;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.speedling.core.HostKeyPolicy;
import io.speedling.core.NodeSpec;
import io.speedling.core.SpeedlingException;
import io.speedling.core.SshTarget;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Machines the user already has, read from an inventory file: the way to deploy onto one's own
 * lab instead of nodes speedling boots. The file is JSON (which is also YAML, so a YAML reader
 * takes it as it is):
 *
 * <pre>
 * {
 *   "known_hosts": "~/.ssh/known_hosts",
 *   "virtual_ip": "10.20.0.250",
 *   "hosts": [
 *     { "name": "controller-01", "address": "192.0.2.10", "user": "debian", "port": 22,
 *       "key": "~/.ssh/id_ed25519", "roles": ["controller", "compute"],
 *       "management_address": "10.20.0.10", "provider_interface": "eth1",
 *       "jump": { "address": "bastion.example.org", "user": "me" },
 *       "data": { "rack": "r1" } }
 *   ]
 * }
 * </pre>
 *
 * Per host: {@code name} (a node name: lower-case letters, digits, dashes), {@code address}
 * (where SSH reaches it), {@code roles} (controller, compute, network, storage) required;
 * {@code user} (default root; another user needs sudo without a password), {@code port}
 * (22), {@code key} (default: the user's ~/.ssh/id_ed25519, id_ecdsa, id_rsa), {@code jump} (a
 * bastion: address, user, port, key), {@code management_address} (the address the services use
 * between hosts; default the SSH address), {@code provider_interface} (the NIC of Neutron's flat
 * provider network on hosts with compute or network; default eth1), {@code provider_address} (the
 * host's own address on that network, a /24: on a controller it gives the default resources their
 * {@code public} network with floating IPs from that /24; without it they have no public network)
 * and {@code data} (free-form, given to the node's remote functions) are optional. Top level: {@code hosts}, and optionally
 * {@code virtual_ip} (needed with 3 or 5 controllers: the address keepalived moves between them)
 * and {@code known_hosts} (default ~/.ssh/known_hosts). Host keys are checked strictly against
 * that file; {@link #trustNewHosts(boolean)} records unknown ones instead (a changed key is still
 * refused).
 *
 * <p>Everything is checked when the file is read, and every problem of every host is reported
 * at once, naming the file, the host and the field, before anything connects anywhere.
 */
public final class Hosts {
    private static final ObjectMapper JSON = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    private static final Set<String> TOP = Set.of("hosts", "virtual_ip", "known_hosts");
    private static final Set<String> HOST = Set.of("name", "address", "user", "port", "key", "jump", "roles",
            "management_address", "provider_interface", "provider_address", "data");
    private static final Set<String> JUMP = Set.of("address", "user", "port", "key");
    private static final Set<String> ROLES = Set.of(Inventory.CONTROLLER, Inventory.COMPUTE, Inventory.NETWORK,
            Inventory.STORAGE);
    private static final Pattern IPV4 = Pattern.compile(
            "((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)");
    private static final Pattern HOSTNAME = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.:-]{0,252})");
    private static final Pattern IFNAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,14}");
    /** The NIC of the provider network when a host does not name one. */
    public static final String DEFAULT_PROVIDER_INTERFACE = "eth1";

    /** One machine of the file. */
    public record Host(String name, SshTarget ssh, Set<String> roles, String managementAddress,
                       String providerInterface, String providerAddress, Map<String, Object> data) {
    }

    private final Path file;
    private final List<Host> hosts;
    private final String virtualIp;
    private final Path knownHosts;
    private final boolean trustNew;

    private Hosts(Path file, List<Host> hosts, String virtualIp, Path knownHosts, boolean trustNew) {
        this.file = file;
        this.hosts = List.copyOf(hosts);
        this.virtualIp = virtualIp;
        this.knownHosts = knownHosts;
        this.trustNew = trustNew;
    }

    /**
     * Reads and checks an inventory file.
     *
     * @throws SpeedlingException naming the file and listing every problem found in it
     */
    public static Hosts read(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new SpeedlingException("cannot read the hosts file " + file + ": " + e.getMessage()
                    + "; give the path of an inventory file (see speedling-examples/hosts.example.json)", e);
        }
        return parse(file, text);
    }

    /** Checks an inventory given as text; {@code origin} names it in messages. */
    static Hosts parse(Path origin, String text) {
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (IOException e) {
            String why = e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage()
                    : e.getMessage();
            throw new SpeedlingException("hosts file " + origin + " is not valid JSON: " + why + at(e) + " (the inventory is JSON: see speedling-examples/hosts.example.json)", e);
        }
        List<String> problems = new ArrayList<>();
        if (root == null || !root.isObject()) {
            throw new SpeedlingException("hosts file " + origin + " must hold one JSON object with a \"hosts\" list");
        }
        unknownKeys(root, TOP, "the top level", problems);
        String vip = optionalText(root, "virtual_ip", "the top level", problems);
        if (vip != null && !IPV4.matcher(vip).matches()) {
            problems.add("virtual_ip '" + vip + "' is not an IPv4 address");
        }
        String kh = optionalText(root, "known_hosts", "the top level", problems);
        Path knownHosts = kh == null ? home(".ssh/known_hosts") : expand(kh);
        List<Host> hosts = new ArrayList<>();
        JsonNode list = root.get("hosts");
        if (list == null || !list.isArray() || list.isEmpty()) {
            problems.add("\"hosts\" must be a non-empty list of hosts");
        } else {
            Set<String> names = new LinkedHashSet<>();
            int i = 0;
            for (JsonNode h : list) {
                i++;
                Host host = host(h, i, problems);
                if (host != null && !names.add(host.name())) {
                    problems.add("host '" + host.name() + "' is named twice; host names must be unique");
                }
                if (host != null) {
                    hosts.add(host);
                }
            }
            topology(hosts, vip, problems);
        }
        if (!problems.isEmpty()) {
            throw new SpeedlingException("hosts file " + origin + " has " + problems.size() + " problem"
                    + (problems.size() == 1 ? "" : "s") + ":\n  " + String.join("\n  ", problems)
                    + "\nfix them and run again; nothing was done on any host");
        }
        return new Hosts(origin, hosts, vip, knownHosts, false);
    }

    private static String at(IOException e) {
        if (e instanceof com.fasterxml.jackson.core.JsonProcessingException j && j.getLocation() != null) {
            return " at line " + j.getLocation().getLineNr() + ", column " + j.getLocation().getColumnNr();
        }
        return "";
    }

    private static Host host(JsonNode h, int index, List<String> problems) {
        if (!h.isObject()) {
            problems.add("hosts[" + index + "] is not an object");
            return null;
        }
        String name = optionalText(h, "name", "hosts[" + index + "]", problems);
        String who = name == null ? "hosts[" + index + "]" : "host '" + name + "'";
        if (name == null) {
            problems.add(who + " has no \"name\"");
        } else {
            try {
                Component.requireName("host", name, " (it names the node)");
            } catch (IllegalArgumentException e) {
                problems.add(e.getMessage());
            }
        }
        unknownKeys(h, HOST, who, problems);
        SshTarget ssh = target(h, who, problems);
        JsonNode j = h.get("jump");
        if (j != null && ssh != null) {
            if (!j.isObject()) {
                problems.add(who + ": \"jump\" must be an object with address, user, port, key");
            } else {
                unknownKeys(j, JUMP, who + "'s jump", problems);
                SshTarget jump = target(j, who + "'s jump", problems);
                if (jump != null) {
                    ssh = ssh.jump(jump);
                }
            }
        }
        Set<String> roles = new LinkedHashSet<>();
        JsonNode r = h.get("roles");
        if (r == null || !r.isArray() || r.isEmpty()) {
            problems.add(who + " has no \"roles\": give a list of " + new java.util.TreeSet<>(ROLES));
        } else {
            for (JsonNode x : r) {
                if (!x.isTextual() || !ROLES.contains(x.asText())) {
                    problems.add(who + ": unknown role " + x + "; the roles are " + new java.util.TreeSet<>(ROLES));
                } else {
                    roles.add(x.asText());
                }
            }
        }
        String mgmt = optionalText(h, "management_address", who, problems);
        if (mgmt != null && !IPV4.matcher(mgmt).matches()) {
            problems.add(who + ": management_address '" + mgmt + "' is not an IPv4 address");
        }
        String nic = optionalText(h, "provider_interface", who, problems);
        if (nic != null && !IFNAME.matcher(nic).matches()) {
            problems.add(who + ": provider_interface '" + nic + "' is not an interface name");
        }
        String provider = optionalText(h, "provider_address", who, problems);
        if (provider != null && !IPV4.matcher(provider).matches()) {
            problems.add(who + ": provider_address '" + provider + "' is not an IPv4 address");
            provider = null;
        }
        Map<String, Object> data = new LinkedHashMap<>();
        JsonNode d = h.get("data");
        if (d != null) {
            if (!d.isObject()) {
                problems.add(who + ": \"data\" must be an object");
            } else {
                data.putAll(JSON.convertValue(d, Map.class));
            }
        }
        if (name == null || ssh == null) {
            return null;
        }
        String address = mgmt != null ? mgmt : ssh.host();
        if (mgmt == null && !IPV4.matcher(address).matches()) {
            problems.add(who + ": its address '" + address + "' is a name, so give its IPv4 management_address too"
                    + " (the services write addresses into their config)");
        }
        return new Host(name, ssh, Set.copyOf(roles), address, nic != null ? nic : DEFAULT_PROVIDER_INTERFACE,
                provider, Map.copyOf(data));
    }

    private static SshTarget target(JsonNode h, String who, List<String> problems) {
        String address = optionalText(h, "address", who, problems);
        if (address == null) {
            problems.add(who + " has no \"address\" (where SSH reaches it)");
        } else if (!HOSTNAME.matcher(address).matches()) {
            problems.add(who + ": address '" + address + "' is not a host name or IP address");
            address = null;
        }
        String user = optionalText(h, "user", who, problems);
        if (user != null && !user.matches("[a-z_][a-z0-9_.-]{0,31}")) {
            problems.add(who + ": user '" + user + "' is not a user name");
            user = null;
        }
        int port = 22;
        JsonNode p = h.get("port");
        if (p != null) {
            if (!p.isInt() || p.asInt() < 1 || p.asInt() > 65535) {
                problems.add(who + ": port " + p + " is not a port number (1-65535)");
            } else {
                port = p.asInt();
            }
        }
        String key = optionalText(h, "key", who, problems);
        Path keyPath = null;
        if (key != null) {
            keyPath = expand(key);
            if (!Files.isRegularFile(keyPath) || !Files.isReadable(keyPath)) {
                problems.add(who + ": key " + keyPath + " is not a readable file (the private key to log in with)");
            }
        }
        if (address == null) {
            return null;
        }
        SshTarget t = SshTarget.of(address).port(port);
        if (user != null) {
            t = t.user(user);
        }
        return keyPath != null ? t.identity(keyPath) : t;
    }

    private static void topology(List<Host> hosts, String vip, List<String> problems) {
        long controllers = hosts.stream().filter(h -> h.roles().contains(Inventory.CONTROLLER)).count();
        if (controllers != 1 && controllers != 3 && controllers != 5) {
            problems.add(controllers + " hosts have the controller role; give 1, or 3 or 5 for high availability "
                    + "(an odd number keeps a majority for the database and the message queue)");
        }
        if (hosts.stream().noneMatch(h -> h.roles().contains(Inventory.COMPUTE))) {
            problems.add("no host has the compute role; give it to at least one (the controller, for an all-in-one)");
        }
        if (controllers > 1 && vip == null) {
            problems.add("several controllers need \"virtual_ip\": a free address on their management network that "
                    + "keepalived moves to a live controller");
        }
        if (controllers == 1 && vip != null) {
            problems.add("\"virtual_ip\" is only for several controllers; remove it or add controllers");
        }
        if (vip != null && hosts.stream().anyMatch(h -> h.managementAddress().equals(vip))) {
            problems.add("virtual_ip " + vip + " is also a host's address; give a free one");
        }
    }

    private static void unknownKeys(JsonNode o, Set<String> known, String where, List<String> problems) {
        for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!known.contains(k)) {
                problems.add(where + ": unknown field \"" + k + "\"; the fields are " + new java.util.TreeSet<>(known));
            }
        }
    }

    private static String optionalText(JsonNode o, String field, String where, List<String> problems) {
        JsonNode v = o.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual() || v.asText().isBlank()) {
            problems.add(where + ": \"" + field + "\" must be a non-empty string, not " + v);
            return null;
        }
        return v.asText().strip();
    }

    private static Path expand(String p) {
        return p.startsWith("~/") ? home(p.substring(2)) : Path.of(p).toAbsolutePath();
    }

    private static Path home(String rel) {
        return Path.of(System.getProperty("user.home")).resolve(rel);
    }

    /** The same hosts with unknown host keys recorded on first contact (a changed key is still refused). */
    public Hosts trustNewHosts(boolean trust) {
        return new Hosts(file, hosts, virtualIp, knownHosts, trust);
    }

    public HostKeyPolicy hostKeyPolicy() {
        return trustNew ? HostKeyPolicy.TRUST_ON_FIRST_USE : HostKeyPolicy.STRICT;
    }

    public Path file() {
        return file;
    }

    public List<Host> hosts() {
        return hosts;
    }

    public Path knownHosts() {
        return knownHosts;
    }

    /** The hosts' roles as the deploy's inventory, with the virtual IP when there are several controllers. */
    public Inventory inventory() {
        Map<String, Set<String>> roles = new LinkedHashMap<>();
        hosts.forEach(h -> roles.put(h.name(), h.roles()));
        Inventory inv = Inventory.of(roles);
        return virtualIp == null ? inv : inv.virtualIp(virtualIp);
    }

    /** The hosts as fleet nodes: SSH target, roles, and data with the management address and provider NIC. */
    public List<NodeSpec> nodeSpecs() {
        List<NodeSpec> out = new ArrayList<>();
        for (Host h : hosts) {
            NodeSpec s = NodeSpec.ssh(h.name(), h.ssh()).roles(h.roles().toArray(String[]::new));
            for (Map.Entry<String, Object> e : h.data().entrySet()) {
                s = s.data(e.getKey(), e.getValue());
            }
            // after the free-form data: the deploy relies on these
            s = s.data("ip", h.managementAddress()).data(PROVIDER_INTERFACE, h.providerInterface());
            out.add(h.providerAddress() == null ? s : s.data("ext_ipv4", h.providerAddress()));
        }
        return out;
    }

    /** The node data key of a host's provider network interface. */
    public static final String PROVIDER_INTERFACE = "provider_interface";

    @Override
    public boolean equals(Object o) {
        return o instanceof Hosts h && hosts.equals(h.hosts) && Objects.equals(virtualIp, h.virtualIp)
                && knownHosts.equals(h.knownHosts) && trustNew == h.trustNew;
    }

    @Override
    public int hashCode() {
        return Objects.hash(hosts, virtualIp, knownHosts, trustNew);
    }

    @Override
    public String toString() {
        return "hosts " + hosts.stream().map(h -> h.name() + "=" + h.ssh().host()).toList()
                + (virtualIp == null ? "" : " vip " + virtualIp);
    }
}
