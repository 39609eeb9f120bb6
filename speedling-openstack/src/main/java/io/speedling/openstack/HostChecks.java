package io.speedling.openstack;

import io.speedling.core.CommandResult;
import io.speedling.core.Fleet;
import io.speedling.core.SpeedlingException;
import io.speedling.core.functions.Sh;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a deploy onto machines the user already has checks before it changes anything on any of
 * them (kolla-ansible calls these prechecks): the distribution and release, memory, free disk, the
 * provider network's interface where the network agent runs, the ports the services need, that
 * the host's name in the file is its hostname, and that no other cloud of speedling's holds it. Reachability, the login and sudo without a
 * password are checked by connecting (the agent runs as root). Every host is checked and every
 * problem reported at once, each naming the host and what to do.
 *
 * <p>The one thing written before these checks pass is the agent's cache under the SSH user's
 * {@code ~/.cache/speedling} (its jars, and a Java runtime when the host has none).
 */
public final class HostChecks {
    /** The file on a host that names the cloud deployed there. */
    public static final String MARKER = "/var/lib/speedling/cloud";
    static final long CONTROLLER_MEMORY_MIB = 3072;
    static final long NODE_MEMORY_MIB = 1024;
    static final long CONTROLLER_DISK_MIB = 4096;
    static final long NODE_DISK_MIB = 2048;
    /** Ports the controllers' services listen on: MariaDB, RabbitMQ, Memcached and the APIs. */
    static final Set<Integer> CONTROLLER_PORTS = Set.of(3306, 5672, 11211, 5000, 9292, 8774, 8775, 8778, 9696);

    /**
     * {@link #CONTROLLER_PORTS}, and OVN's northbound and southbound databases where Neutron runs on
     * OVN (their clients' ports, and their RAFT clusters' with several controllers).
     */
    static Set<Integer> controllerPorts(Release release) {
        if (release.hasLinuxbridge()) {
            return CONTROLLER_PORTS;
        }
        Set<Integer> all = new java.util.HashSet<>(CONTROLLER_PORTS);
        all.addAll(List.of(6641, 6642, 6643, 6644));
        return Set.copyOf(all);
    }

    private static final String FACTS = """
            . /etc/os-release 2>/dev/null; echo "os=${ID:-unknown} ${VERSION_CODENAME:-unknown}"
            echo "mem=$(awk '/^MemTotal:/ {print int($2/1024)}' /proc/meminfo)"
            echo "disk=$(df -Pm / | awk 'NR==2 {print $4}')"
            echo "cloud=$(cat %s 2>/dev/null)"
            echo "nics=$(ls /sys/class/net | tr '\\n' ' ')"
            p=''; for h in $(awk 'NR>1 && $4=="0A" {split($2,a,":"); print a[2]}' /proc/net/tcp /proc/net/tcp6 2>/dev/null | sort -u); do p="$p $(printf '%%d' 0x$h)"; done
            echo "listen=$p"
            echo "apt=$(command -v apt-get)"
            echo "hostname=$(hostname)"
            """.formatted(MARKER);

    private HostChecks() {
    }

    /**
     * Checks every host of {@code spec} for cloud {@code cloud} and throws listing every problem.
     *
     * @throws SpeedlingException naming each host and what to fix there; nothing was changed
     */
    public static void check(Fleet fleet, CloudSpec spec, String cloud) {
        List<String> problems = problems(fleet, spec, cloud);
        if (!problems.isEmpty()) {
            throw new SpeedlingException("the hosts of cloud " + cloud + " are not ready (" + problems.size()
                    + " problem" + (problems.size() == 1 ? "" : "s") + "; nothing was changed on any host):\n  "
                    + String.join("\n  ", problems));
        }
    }

    static List<String> problems(Fleet fleet, CloudSpec spec, String cloud) {
        Inventory inv = spec.inventory();
        Map<String, CommandResult> out = fleet.group(inv.nodes().toArray(String[]::new)).call(new Sh(FACTS, true));
        List<String> problems = new ArrayList<>();
        Map<String, Hosts.Host> hosts = new LinkedHashMap<>();
        spec.hosts().hosts().forEach(h -> hosts.put(h.name(), h));
        for (String node : inv.nodes()) {
            Map<String, String> f = facts(out.get(node).stdout());
            problems.addAll(problems(node, inv.rolesOf(node), hosts.get(node), f, cloud, spec.release()));
        }
        return problems;
    }

    /** The problems of one host from its facts. */
    static List<String> problems(String node, Set<String> roles, Hosts.Host host, Map<String, String> f, String cloud,
                                 Release release) {
        List<String> p = new ArrayList<>();
        String who = "host " + node + " (" + host.ssh().host() + ")";
        String[] os = f.getOrDefault("os", "unknown unknown").split(" ");
        if (!os[0].equals("debian") || !os[1].equals(release.suite())) {
            // the packages are the suite's own: a host of another suite would get another OpenStack
            String fits = os[0].equals("debian") ? Release.ofSuite(os[1]).map(r -> ", or choose release " + r.id()
                    + ", which this host's packages are").orElse("") : "";
            p.add(who + " runs " + String.join(" ", os) + "; this cloud is OpenStack " + release.describe()
                    + ", installed from that suite's packages: give a Debian " + release.suite() + " host" + fits);
        }
        String hostname = f.getOrDefault("hostname", "");
        if (!hostname.equals(node)) {
            p.add(who + " calls itself '" + hostname + "'; name it so in the hosts file (Nova and Neutron know a "
                    + "host by its hostname)");
        }
        if (f.getOrDefault("apt", "").isBlank()) {
            p.add(who + " has no apt-get: the packages come from Debian's archive");
        }
        String holder = f.getOrDefault("cloud", "");
        boolean ours = holder.equals(cloud);
        if (!holder.isEmpty() && !ours) {
            p.add(who + " holds speedling's cloud '" + holder + "' (" + MARKER + "); wipe that one first "
                    + "(speedling-examples/bin/cloud --wipe --name " + holder + " --hosts FILE) or use another host");
        }
        boolean controller = roles.contains(Inventory.CONTROLLER);
        long mem = number(f.get("mem"));
        long needMem = controller ? CONTROLLER_MEMORY_MIB : NODE_MEMORY_MIB;
        if (mem < needMem) {
            p.add(who + " has " + mem + " MiB of memory; a " + (controller ? "controller" : "node") + " needs at least "
                    + needMem + " MiB");
        }
        long disk = number(f.get("disk"));
        long needDisk = ours ? 512 : controller ? CONTROLLER_DISK_MIB : NODE_DISK_MIB;
        if (disk < needDisk) {
            p.add(who + " has " + disk + " MiB free on /; it needs at least " + needDisk + " MiB (packages, databases,"
                    + " images): free some space");
        }
        if (roles.contains(Inventory.COMPUTE) || roles.contains(Inventory.NETWORK)) {
            Set<String> nics = Set.of(f.getOrDefault("nics", "").trim().split("\\s+"));
            if (!nics.contains(host.providerInterface())) {
                p.add(who + " has no interface " + host.providerInterface() + " for the provider network (it has "
                        + new TreeSet<>(nics) + "); set its \"provider_interface\" in the hosts file");
            }
        }
        if (controller && !ours) {
            // a rerun finds its own services on these ports; a fresh host must have them free
            Set<Integer> held = new TreeSet<>();
            for (String s : f.getOrDefault("listen", "").trim().split("\\s+")) {
                if (!s.isEmpty() && controllerPorts(release).contains(Integer.parseInt(s))) {
                    held.add(Integer.parseInt(s));
                }
            }
            if (!held.isEmpty()) {
                p.add(who + ": ports " + held + " are in use; the cloud's database, message queue, cache and APIs "
                        + "need them: stop what listens there (ss -ltnp shows it) or use another host");
            }
        }
        return p;
    }

    /** Marks the hosts as this cloud's (after the checks passed, before the deploy changes anything else). */
    static void mark(Fleet fleet, CloudSpec spec, String cloud) {
        fleet.group(spec.inventory().nodes().toArray(String[]::new)).call(Sh.checked("mkdir -p /var/lib/speedling && "
                + "echo " + cloud + " > " + MARKER));
    }

    static Map<String, String> facts(String text) {
        Map<String, String> f = new LinkedHashMap<>();
        text.lines().forEach(l -> {
            int eq = l.indexOf('=');
            if (eq > 0) {
                f.put(l.substring(0, eq), l.substring(eq + 1).strip());
            }
        });
        return f;
    }

    private static long number(String s) {
        try {
            return s == null ? 0 : Long.parseLong(s.strip());
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
