package io.speedling.openstack.components;

import io.speedling.core.functions.Sh;
import io.speedling.core.tasks.Task;
import io.speedling.openstack.Component;
import io.speedling.openstack.Deploy;
import io.speedling.openstack.DistroFamily;
import io.speedling.openstack.Inventory;
import io.speedling.openstack.Release;
import io.speedling.openstack.remote.WaitHttp;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Networking with ML2, a flat provider network on the nodes' second NIC, in one of two ways, by
 * release ({@link Release#hasLinuxbridge}):
 * <ul>
 * <li><b>linuxbridge</b> (Zed): the linuxbridge agent wherever ports live (the kernel here has no
 * openvswitch module), VXLAN tenant networks, DHCP, L3 and metadata agents on the network nodes
 * ({@link Inventory#NETWORK}, else the controllers; with several, each network's DHCP is served by
 * all and routers are HA routers failing over between them). The RPC server starts first and the
 * agents once it consumes its queue, so their first calls do not time out.
 * <li><b>OVN</b> (2025.1 and later, which dropped linuxbridge; selectable on Zed): OVN's northbound
 * and southbound databases and northd on the controller, listening for the API and the chassis
 * from their start; on every node where ports live Open vSwitch on its userspace datapath (netdev
 * bridges: no kernel module needed), {@code ovn-controller} and the OVN metadata agent; Geneve
 * tenant networks, OVN's own DHCP and routers, network nodes as gateway chassis. A userspace
 * datapath sends tunnels out of a bridge of its own only, so the provider NIC's address and MAC
 * move onto {@code br-ex}, which ends the tunnels; the management network is left alone.
 * </ul>
 */
public final class Neutron extends Component {
    private final MariaDb sql;
    private final RabbitMq messaging;
    private final Keystone keystone;
    private final String providerInterface;
    private final boolean ovn;

    private Neutron(Builder b) {
        super(b.name, b.release);
        String how = "Neutron.builder()";
        this.sql = required(b.sql, b.name, "an SQL server", how + ".sql(mariadb)");
        this.messaging = required(b.messaging, b.name, "a message queue", how + ".messaging(rabbitmq)");
        this.keystone = required(b.keystone, b.name, "keystone", how + ".keystone(keystone)");
        this.providerInterface = b.providerInterface;
        Release r = releaseOrDefault();
        this.ovn = b.ovn != null ? b.ovn : !r.hasLinuxbridge();
        if (!ovn && !r.hasLinuxbridge()) {
            throw new IllegalArgumentException(b.name + ": OpenStack " + r.describe() + " has no linuxbridge driver "
                    + "(removed upstream); leave ovn(true), the default there");
        }
    }

    /**
     * Waits until Neutron on OVN no longer hands events to controller {@code dead}, asking controller
     * {@code survivor}; the seconds waited (0 when nothing was to wait for: linuxbridge, or {@code dead}
     * never ran Neutron's API).
     *
     * <p>Neutron's ML2/OVN driver spreads OVN's events (a port going up, among others) over every
     * API worker of the cloud by a hash ring kept in its database. A controller that dies stays in
     * that ring until its last heartbeat is older than Neutron's {@code HASH_RING_NODES_TIMEOUT} (120 s
     * on 2025.1 and 2026.1), and each worker keeps its copy of the ring for {@code
     * HASH_RING_CACHE_TIMEOUT} (60 s) more; events meant for the dead one are dropped meanwhile and
     * never handled later. So for up to three minutes after a controller's death about one port in
     * three that OVN sets up stays DOWN in Neutron, and Nova, waiting for {@code network-vif-plugged},
     * fails the server at {@code vif_plugging_timeout}. That is upstream's behaviour, kept as it is
     * (a failure test would want to see it); both limits are read from the installed Neutron.
     */
    public static double awaitHashRingWithout(io.speedling.core.Node survivor, String dead)
            throws InterruptedException {
        if (!dead.matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException("awaitHashRingWithout: '" + dead + "' is not a node name (letters, "
                    + "digits, '.', '_', '-'); give the dead controller's name, e.g. controller-01");
        }
        String script = "t=$(python3 -c 'from neutron.common.ovn import constants as c; "
                + "print(c.HASH_RING_NODES_TIMEOUT + c.HASH_RING_CACHE_TIMEOUT)' 2>/dev/null) || { echo 0; exit 0; }; "
                + "age=$(mysql -N -B -e \"SELECT TIMESTAMPDIFF(SECOND, MAX(updated_at), UTC_TIMESTAMP()) "
                + "FROM neutron.ovn_hash_ring WHERE hostname='" + dead + "'\" 2>/dev/null); "
                + "case \"$age\" in ''|NULL) echo 0;; *) echo $(( t > age ? t - age + 1 : 0 ));; esac";
        long wait = Long.parseLong(survivor.call(Sh.checked(script)).stdout().strip());
        Thread.sleep(wait * 1000);
        return wait;
    }

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder extends ServiceBuilder.WithMessaging<Builder> {
        private String providerInterface = "eth1";

        private Builder() {
            super("neutron");
        }

        /**
         * The NIC the flat "provider" network uses (default eth1, the slice's ext network); a host of
         * an inventory file names its own ({@link io.speedling.openstack.Hosts}), which wins.
         */
        public Builder providerInterface(String nic) {
            this.providerInterface = nic;
            return this;
        }

        private Boolean ovn;

        /**
         * ML2/OVN (true) or linuxbridge (false); by default OVN where the release ({@link #release})
         * has no linuxbridge.
         */
        public Builder ovn(boolean on) {
            this.ovn = on;
            return this;
        }

        public Neutron build() {
            return new Neutron(this);
        }
    }

    @Override
    public List<Component> requires() {
        return List.of(sql, messaging, keystone);
    }

    /** Whether this Neutron runs on ML2/OVN (else linuxbridge). */
    public boolean ovn() {
        return ovn;
    }

    /**
     * The server on the controllers; DHCP, metadata and L3 agents on the network nodes (the
     * controllers when no node has that role); the linuxbridge agent wherever ports live (network
     * and compute nodes). With OVN: its databases and northd beside the server; Open vSwitch,
     * ovn-controller and the metadata agent (with HAProxy, which it runs per network) wherever ports live.
     */
    @Override
    public List<String> packagesOn(Inventory inventory, String node) {
        Set<String> roles = inventory.rolesOf(node);
        boolean network = inventory.nodesWith(Inventory.NETWORK).isEmpty() ? roles.contains(Inventory.CONTROLLER)
                : roles.contains(Inventory.NETWORK);
        List<String> out = new ArrayList<>();
        if (ovn) {
            if (roles.contains(Inventory.CONTROLLER)) {
                out.addAll(withOtherSuites(OVN_CENTRAL));
            }
            if (network || roles.contains(Inventory.COMPUTE)) {
                out.addAll(withOtherSuites(OVN_CHASSIS));
            }
            return out;
        }
        if (roles.contains(Inventory.CONTROLLER)) {
            out.add("neutron-server");
        }
        if (network) {
            out.addAll(List.of("neutron-dhcp-agent", "neutron-metadata-agent", "neutron-l3-agent"));
        }
        if (network || roles.contains(Inventory.COMPUTE)) {
            out.addAll(List.of("neutron-linuxbridge-agent", "iptables"));
        }
        return out;
    }

    /** The controller's packages with OVN. */
    static final List<String> OVN_CENTRAL = List.of("neutron-server", "ovn-central");
    /** Where ports live, with OVN (the metadata agent's package only recommends the HAProxy it runs). */
    static final List<String> OVN_CHASSIS = List.of("openvswitch-switch", "ovn-host", "neutron-ovn-metadata-agent",
            "haproxy");
    /** Neutron's own workers beside the uWSGI API with OVN: periodic tasks and OVN's database maintenance. */
    static final List<String> OVN_WORKERS = List.of("neutron-periodic-workers", "neutron-ovn-maintenance-worker");
    /** OVN's units on the controller: both databases and northd. */
    static final List<String> OVN_CENTRAL_UNITS = List.of("ovn-ovsdb-server-nb", "ovn-ovsdb-server-sb", "ovn-northd");

    @Override
    public Map<DistroFamily, List<String>> packages() {
        if (ovn) {
            List<String> all = new ArrayList<>(withOtherSuites(OVN_CENTRAL));
            all.addAll(withOtherSuites(OVN_CHASSIS));
            return Pkgs.of(all, List.of("openstack-neutron", "openstack-neutron-ml2", "ovn-central", "ovn-host"),
                    List.of("openstack-neutron-server", "openstack-neutron-ovn-metadata-agent", "ovn-central", "ovn-host"));
        }
        return Pkgs.of(List.of("neutron-server", "neutron-linuxbridge-agent", "neutron-dhcp-agent",
                        "neutron-metadata-agent", "neutron-l3-agent", "iptables"),
                List.of("openstack-neutron", "openstack-neutron-ml2", "openstack-neutron-linuxbridge"),
                List.of("openstack-neutron-server", "openstack-neutron-linuxbridge-agent",
                        "openstack-neutron-dhcp-agent", "openstack-neutron-metadata-agent", "openstack-neutron-l3-agent"));
    }

    /**
     * {@code pkgs} with what the release's suite lacks taken from another (see the image's packages
     * step: pinned below everything else). Debian testing (2026.1) has dropped ovn-central and
     * ovn-host (checked 2026-12-03: forky carries Open vSwitch 4.0 and Neutron 28's OVN agents but
     * no OVN), so there they come from unstable (OVN 26.03); and with the server, unstable's
     * neutron-lib (testing's is caught in a transition, see Glance).
     */
    List<String> withOtherSuites(List<String> pkgs) {
        if (!madeFor(Release.GAZPACHO)) {
            return pkgs;
        }
        List<String> out = new ArrayList<>(pkgs.stream().map(p -> p.startsWith("ovn-") ? p + "/sid" : p).toList());
        if (pkgs.contains("neutron-server")) {
            // testing's neutron-lib (3.24) is one that unstable's oslo.policy 6 breaks (see Glance); unstable's
            // (5.0.1, for Neutron 29) installs but Neutron 28 does not start on it (fip64 is gone): 2026.1's
            // Glance and Neutron have no common set on this mirror (2026-12-03, see README)
            out.add("python3-neutron-lib/sid");
        }
        return out;
    }

    static final List<String> AGENTS = List.of("neutron-linuxbridge-agent", "neutron-dhcp-agent",
            "neutron-metadata-agent", "neutron-l3-agent");

    @Override
    public List<String> services() {
        if (ovn) {
            // the RPC server comes with neutron-server's package; with OVN no agent talks RPC to it
            List<String> all = new ArrayList<>(List.of("neutron-api", "neutron-rpc-server",
                    "neutron-ovn-metadata-agent", "ovn-central", "ovn-host", "ovn-controller", "openvswitch-switch",
                    "ovsdb-server", "ovs-vswitchd", "ovs-record-hostname", "haproxy", PROVIDER_UNIT));
            all.addAll(OVN_CENTRAL_UNITS);
            return all;
        }
        return List.of("neutron-api", "neutron-rpc-server", "neutron-linuxbridge-agent", "neutron-dhcp-agent",
                "neutron-metadata-agent", "neutron-l3-agent");
    }

    @Override
    public List<String> debconf() {
        return Pkgs.noSelfSetup("neutron-common", "neutron-server", "neutron");
    }

    @Override
    public String schemaScript() {
        return """
                m -e 'CREATE DATABASE neutron'
                printf '[DEFAULT]\\ncore_plugin = ml2\\n[database]\\nconnection = %s\\n' "$(url neutron)" > $d/neutron.conf
                neutron-db-manage --config-file $d/neutron.conf upgrade heads
                dump neutron-db-sync neutron-common neutron-db-sync neutron
                """;
    }

    /** Its database, HAProxy frontend, catalog entry and service user. */
    @Override
    protected Api api() {
        return new Api("neutron", "network", 9696);
    }

    /**
     * The agents' root commands go through one rootwrap daemon per agent instead of a sudo and a
     * Python start-up per command: the agents run hundreds of them (bridges, iptables, namespaces).
     */
    private static final Map<String, String> ROOTWRAP_DAEMON = Map.of("root_helper_daemon",
            "sudo neutron-rootwrap-daemon /etc/neutron/rootwrap.conf");
    /**
     * With OVN the only agent, the metadata agent, runs as root (the package's unit): its commands
     * and its privsep daemons start without rootwrap (a Python start-up of 0.5 s of CPU each, while
     * the first network is made).
     */
    private static final Map<String, String> AS_ROOT = Map.of("root_helper", "", "root_helper_daemon", "");

    /** neutron.conf's [agent]: how the agents on the node run commands as root. */
    private Map<String, String> agentSection() {
        return ovn ? AS_ROOT : ROOTWRAP_DAEMON;
    }

    /** The nodes with the {@link Inventory#NETWORK} role, or the controllers when no node has it. */
    static io.speedling.core.NodeGroup networkNodes(Deploy d, io.speedling.core.NodeGroup ctl) {
        var net = d.withRole(Inventory.NETWORK);
        return net.names().isEmpty() ? ctl : net;
    }

    private static io.speedling.core.NodeGroup union(Deploy d, io.speedling.core.NodeGroup a,
                                                     io.speedling.core.NodeGroup b) {
        return d.fleet().group(java.util.stream.Stream.concat(a.names().stream(), b.names().stream()).distinct()
                .toArray(String[]::new));
    }

    /** Done when the networking API answers. */
    public Task<?> ready(Deploy d) {
        return planned(d, "ready");
    }

    @Override
    protected void plan(Deploy d) {
        var ctl = d.withRole(Inventory.CONTROLLER);
        var compute = d.withRole(Inventory.COMPUTE);
        var net = networkNodes(d, ctl);
        // the network agent (linuxbridge) or ovn-controller runs wherever ports live: network nodes
        // (DHCP, routers) and compute nodes
        var ports = union(d, net, compute);
        Task<Boolean> config = d.task(name() + ".config", ctx -> ovn ? configureOvn(d, ctl, ports)
                : configureLinuxbridge(d, ctl, net, ports));
        Task<Boolean> sync = dbSync(d, "neutron-common", "neutron", config, sql.schemas(d), "neutron-db-manage",
                "--config-file", "/etc/neutron/neutron.conf", "--config-file", "/etc/neutron/plugins/ml2/ml2_conf.ini",
                "upgrade", "heads");
        Task<Void> start = ovn ? planOvn(d, ctl, net, ports, config, sync)
                : planLinuxbridge(d, ctl, net, ports, config, sync);
        // ready for clients: answering, and in the catalog with its service user; on OVN, every chassis's
        // metadata agent known to the southbound database (servers started on a node without one get no
        // metadata, and the agent list lacks it: seen once in CI, 2026-12-02, for the worker)
        d.task(name() + ".ready", ctx -> {
            d.onController(new WaitHttp(d.endpoints().url(9696, "/"), 120, "neutron-api"));
            if (ovn) {
                awaitMetadataAgents(d, ports, ctx);
            }
            return null;
        }, start, keystone.registered(d));
    }

    /** Shell on the controller printing the chassis of {@code names} whose metadata agent has not registered. */
    static String unregisteredMetadataAgents(List<String> names, int seconds) {
        return "for i in $(seq " + seconds * 4 + "); do missing=''; for c in " + String.join(" ", names) + "; do "
                + "ovn-sbctl --no-leader-only --bare --columns=external_ids find Chassis_Private name=$c "
                + "| grep -q 'neutron:ovn-metadata-id' || missing=\"$missing $c\"; done; "
                + "[ -z \"$missing\" ] && break; sleep 0.25; done; echo $missing";
    }

    /**
     * Waits until the OVN metadata agent of every chassis has registered; one that has not within
     * a minute is restarted once (the run's outcome says so), then the task fails with its status
     * and log.
     */
    private static void awaitMetadataAgents(Deploy d, io.speedling.core.NodeGroup ports,
                                            io.speedling.core.tasks.TaskContext ctx) {
        String missing = d.onController(Sh.checked(unregisteredMetadataAgents(ports.names(), 60))).stdout().strip();
        if (missing.isEmpty()) {
            return;
        }
        List<String> late = List.of(missing.split(" "));
        ctx.outcome("restarted neutron-ovn-metadata-agent on " + String.join(", ", late)
                + ": it had not registered with OVN within 60 s");
        d.fleet().group(late.toArray(String[]::new)).call(Sh.checked("systemctl restart neutron-ovn-metadata-agent"));
        missing = d.onController(Sh.checked(unregisteredMetadataAgents(late, 60))).stdout().strip();
        if (!missing.isEmpty()) {
            StringBuilder why = new StringBuilder("the OVN metadata agent did not register with OVN's southbound "
                    + "database on " + missing + " within 60 s, nor 60 s after a restart:");
            for (String n : missing.split(" ")) {
                why.append("\n").append(n).append(":\n").append(d.fleet().node(n).call(Sh.of("systemctl is-active "
                        + "neutron-ovn-metadata-agent; tail -n 15 /var/log/neutron/neutron-ovn-metadata-agent.log"))
                        .stdout().strip().indent(2));
            }
            // the agents' log says whether they reached the southbound database; where it refused them, its
            // own unit and log say why (so CI showed the unit an alias had made systemd lose: see
            // OpenStackImage.disableScript)
            why.append("\nthe southbound database on ").append(d.controller().name()).append(":\n").append(d
                    .onController(Sh.of("systemctl status --no-pager -n 0 ovn-ovsdb-server-sb | head -n 6; "
                            + "ss -Hltn '( sport = :6642 )'; tail -n 8 /var/log/ovn/ovsdb-server-sb.log")).stdout()
                    .strip().indent(2));
            throw new IllegalStateException(why + "\nCheck the node's Open vSwitch (ovs-vsctl show) and its "
                    + "connection to the controller's port 6642, then deploy again");
        }
    }

    /** neutron.conf's settings on the controllers, for either way. */
    private Map<String, Map<String, String>> serverConf(Deploy d, io.speedling.core.NodeGroup net) {
        Map<String, Map<String, String>> s = new LinkedHashMap<>();
        Map<String, String> def = new LinkedHashMap<>(Map.of("core_plugin", "ml2", "service_plugins",
                ovn ? "ovn-router" : "router", "transport_url", d.transportUrl(), "auth_strategy", "keystone",
                "notify_nova_on_port_status_changes", "true", "notify_nova_on_port_data_changes", "true",
                "api_workers", "2", "rpc_workers", "1"));
        if (!ovn && net.size() > 1) {
            // every network node serves each network's DHCP, and routers fail over between L3 agents (VRRP)
            def.put("dhcp_agents_per_network", String.valueOf(net.size()));
            def.put("l3_ha", "true");
            def.put("max_l3_agents_per_router", String.valueOf(net.size()));
        }
        s.put("DEFAULT", def);
        s.putAll(d.messaging());
        s.put("database", Map.of("connection", d.dbUrl("neutron", "neutron")));
        s.put("keystone_authtoken", d.authtoken("neutron"));
        s.put("nova", d.serviceCredentials("nova"));
        s.put("oslo_concurrency", Map.of("lock_path", "/var/lib/neutron/tmp"));
        if (!ovn) {
            s.put("experimental", Map.of("linuxbridge", "true"));
        }
        s.put("agent", agentSection());
        return s;
    }

    /** neutron.conf where agents run away from the controllers: the message queue and locks, no database. */
    private boolean agentConf(Deploy d, io.speedling.core.NodeGroup ctl, io.speedling.core.NodeGroup ports) {
        var workers = Nova.awayFromControllers(d, ctl, ports);
        if (workers.names().isEmpty()) {
            return false;
        }
        Map<String, Map<String, String>> w = new LinkedHashMap<>(Map.of(
                "DEFAULT", Map.of("transport_url", d.transportUrl(), "auth_strategy", "keystone"),
                "oslo_concurrency", Map.of("lock_path", "/var/lib/neutron/tmp"), "agent", agentSection()));
        if (!ovn) {
            w.put("experimental", Map.of("linuxbridge", "true"));
        }
        w.putAll(d.messaging());
        return d.ini(workers, "/etc/neutron/neutron.conf", w, "neutron");
    }

    private boolean configureLinuxbridge(Deploy d, io.speedling.core.NodeGroup ctl, io.speedling.core.NodeGroup net,
                                         io.speedling.core.NodeGroup ports) {
        boolean changed = d.ini(ctl, "/etc/neutron/neutron.conf", serverConf(d, net), "neutron");
        changed |= agentConf(d, ctl, ports);
        changed |= d.ini(ctl, "/etc/neutron/neutron-api-uwsgi.ini", Deploy.UWSGI_EVENTLET, "neutron");
        changed |= d.listen(ctl, "neutron-server", 9696, "/etc/neutron/neutron-api-uwsgi.ini");
        changed |= d.ini(ctl, "/etc/neutron/plugins/ml2/ml2_conf.ini", Map.of(
                "ml2", Map.of("type_drivers", "flat,vlan,vxlan", "tenant_network_types", "vxlan",
                        "mechanism_drivers", "linuxbridge,l2population", "extension_drivers", "port_security"),
                "ml2_type_flat", Map.of("flat_networks", "provider"),
                "ml2_type_vxlan", Map.of("vni_ranges", "1:1000"),
                "securitygroup", Map.of("enable_ipset", "true")), "neutron");
        changed |= d.ini(net, "/etc/neutron/l3_agent.ini", Map.of("DEFAULT", Map.of("interface_driver",
                "linuxbridge")), "neutron");
        changed |= d.ini(net, "/etc/neutron/dhcp_agent.ini", Map.of("DEFAULT", Map.of("interface_driver",
                "linuxbridge", "dhcp_driver", "neutron.agent.linux.dhcp.Dnsmasq", "enable_isolated_metadata",
                "true")), "neutron");
        changed |= d.ini(net, "/etc/neutron/metadata_agent.ini", Map.of("DEFAULT", Map.of("nova_metadata_host",
                d.endpoints().host(), "metadata_proxy_shared_secret", d.secret("metadata-proxy"))), "neutron");
        changed |= d.callEachIni(ports, "/etc/neutron/plugins/ml2/linuxbridge_agent.ini", node -> Map.of(
                "linux_bridge", Map.of("physical_interface_mappings", "provider:" + providerNic(node)),
                "vxlan", Map.of("enable_vxlan", "true", "local_ip", d.ipOf(node), "l2_population", "true"),
                "securitygroup", Map.of("enable_security_group", "true", "firewall_driver",
                        "neutron.agent.linux.iptables_firewall.IptablesFirewallDriver")), "neutron");
        return changed;
    }

    /** The provider network's NIC on {@code node}: the hosts file's, else the builder's. */
    private String providerNic(io.speedling.core.Node node) {
        return String.valueOf(node.data().getOrDefault(io.speedling.openstack.Hosts.PROVIDER_INTERFACE,
                providerInterface));
    }

    private Task<Void> planLinuxbridge(Deploy d, io.speedling.core.NodeGroup ctl, io.speedling.core.NodeGroup net,
                                       io.speedling.core.NodeGroup ports, Task<Boolean> config, Task<Boolean> sync) {
        Task<Void> rpc = d.task(name() + ".rpc_server", ctx -> {
            // agents that start before the server consumes its queue time out on their first calls.
            // rabbitmqctl says whether it does, but boots an Erlang VM per call (~1 s of CPU that
            // the services starting beside it want): wait for the server to log that it starts its
            // workers (they consume right after), then ask rabbitmqctl.
            String log = "/var/log/neutron/neutron-rpc-server.log";
            long before = Long.parseLong(d.onController(Sh.checked("stat -c %s " + log + " 2>/dev/null || echo 0"))
                    .stdout().strip());
            if (!d.services(ctl, ctx.want(config), "neutron-rpc-server")) {
                return null;  // it ran already, and so did the agents: nothing waits for its queue
            }
            String workers = "for i in $(seq 480); do tail -c +" + (before + 1) + " " + log
                    + " 2>/dev/null | grep -q 'Starting [0-9]* workers' && break; sleep 0.25; done; ";
            d.onController(new Sh(workers + "for i in $(seq 60); do rabbitmqctl -q list_queues name consumers 2>/dev/null | "
                    + "awk '$1==\"q-plugin\" && $2>0 {f=1} END {exit !f}' && exit 0; sleep 1; done; "
                    + "echo 'neutron-rpc-server does not consume q-plugin 60 s after starting its workers' >&2; exit 1",
                    true));
            return null;
            // no wait for Keystone: the RPC server authenticates to nothing at start, and its start-up
            // CPU overlaps Keystone's bootstrap, which leaves the second core idle (the API and the
            // agents wait: started beside Keystone's bootstrap too, they slowed it by more than they won)
        }, sync, messaging.userReady(d));
        return d.task(name() + ".start", ctx -> {
            boolean changed = ctx.want(config);
            ctx.want(keystone.answering(d));
            d.services(ctl, changed, "neutron-api");
            d.services(net, changed, "neutron-dhcp-agent", "neutron-metadata-agent", "neutron-l3-agent");
            d.services(ports, changed, "neutron-linuxbridge-agent");
            return null;
        }, rpc);
    }

    /**
     * Where OVN's database on {@code port} (6641 northbound, 6642 southbound) answers: every
     * controller's address, as OVN's clients take a list (with several controllers the databases
     * are one RAFT cluster, and a client finds its leader among them).
     */
    static String ovnRemotes(List<String> controllerIps, int port) {
        return String.join(",", controllerIps.stream().map(ip -> "tcp:" + ip + ":" + port).toList());
    }

    /**
     * Neutron's keepalive on its OVN database connections when the databases are clusters: 10 s
     * instead of its 60 s (OVN's own daemons probe every 5 s). A controller that dies without closing
     * its connections answers nothing, so Neutron's connection to it (to the leader, which it writes
     * through) is found dead only by the probe. One controller: the default.
     */
    static Map<String, String> clusterProbe(List<String> controllerIps) {
        return controllerIps.size() > 1 ? Map.of("ovsdb_probe_interval", "10000") : Map.of();
    }

    private static Map<String, String> withClusterProbe(Map<String, String> section, List<String> controllerIps) {
        Map<String, String> out = new LinkedHashMap<>(section);
        out.putAll(clusterProbe(controllerIps));
        return out;
    }

    /**
     * Shell on a controller that waits up to {@code seconds} until its copies of both OVN
     * databases are members of their clusters that know a leader, else fails with their status.
     */
    static String clusterJoinedScript(int seconds) {
        return "st() { ovs-appctl -t /var/run/ovn/ovn$1_db.ctl cluster/status $2 2>&1; }\n"
                + "ok() { s=$(st $1 $2); echo \"$s\" | grep -qx 'Status: cluster member' "
                + "&& ! echo \"$s\" | grep -qx 'Leader: unknown'; }\n"
                + "for i in $(seq " + seconds * 4 + "); do ok nb OVN_Northbound && ok sb OVN_Southbound && exit 0; "
                + "sleep 0.25; done\n"
                + "echo \"OVN's databases on $(hostname) are not cluster members with a leader after " + seconds
                + " s:\" >&2; st nb OVN_Northbound >&2; st sb OVN_Southbound >&2; exit 1\n";
    }

    private static List<String> controllerIps(Deploy d, io.speedling.core.NodeGroup ctl) {
        return ctl.names().stream().map(n -> d.ipOf(d.fleet().node(n))).toList();
    }

    /**
     * {@code /etc/default/ovn-central} of a controller at {@code ip}: its databases listen on its
     * address from their start. With several controllers ({@code controllerIps}, in order) each
     * database is a RAFT cluster the first controller creates and the others join
     * (ovn-ctl makes the clustered files on the first start), and northd, on every controller,
     * talks to the clusters, not to its local copies (one northd holds OVN's lock and works).
     */
    static String ovnCentralDefaults(String ip, List<String> controllerIps) {
        StringBuilder opts = new StringBuilder("--db-nb-addr=" + ip + " --db-sb-addr=" + ip
                + " --db-nb-create-insecure-remote=yes --db-sb-create-insecure-remote=yes");
        if (controllerIps.size() > 1) {
            opts.append(" --db-nb-cluster-local-addr=").append(ip).append(" --db-sb-cluster-local-addr=").append(ip);
            String first = controllerIps.get(0);
            if (!ip.equals(first)) {
                opts.append(" --db-nb-cluster-remote-addr=").append(first)
                        .append(" --db-sb-cluster-remote-addr=").append(first);
            }
            opts.append(" --ovn-northd-nb-db=").append(ovnRemotes(controllerIps, 6641))
                    .append(" --ovn-northd-sb-db=").append(ovnRemotes(controllerIps, 6642));
        }
        return "# written by speedling: OVN's databases listen for Neutron and the chassis\n"
                + "OVN_CTL_OPTS=\"" + opts + "\"\n";
    }

    private boolean configureOvn(Deploy d, io.speedling.core.NodeGroup ctl, io.speedling.core.NodeGroup ports) {
        List<String> ips = controllerIps(d, ctl);
        boolean changed = d.ini(ctl, "/etc/neutron/neutron.conf", serverConf(d, ctl), "neutron");
        changed |= agentConf(d, ctl, ports);
        changed |= d.ini(ctl, "/etc/neutron/neutron-api-uwsgi.ini", Deploy.UWSGI_EVENTLET, "neutron");
        changed |= d.listen(ctl, "neutron-server", 9696, "/etc/neutron/neutron-api-uwsgi.ini");
        Map<String, Map<String, String>> ovnConnections = Map.of("ovn", withClusterProbe(Map.of(
                "ovn_nb_connection", ovnRemotes(ips, 6641), "ovn_sb_connection", ovnRemotes(ips, 6642),
                "ovn_l3_scheduler", "leastloaded", "ovn_metadata_enabled", "true",
                "enable_distributed_floating_ip", "false"), ips));
        Map<String, Map<String, String>> ml2 = new LinkedHashMap<>(Map.of(
                "ml2", Map.of("type_drivers", "flat,geneve", "tenant_network_types", "geneve",
                        "mechanism_drivers", "ovn", "extension_drivers", "port_security", "overlay_ip_version", "4"),
                "ml2_type_flat", Map.of("flat_networks", "provider"),
                // 1000 tenant networks, as linuxbridge's VXLAN range: every process that loads ML2 (API,
                // periodic and maintenance workers) reads and syncs the allocation table at start, and
                // 65536 rows cost each several seconds of CPU on every first start
                "ml2_type_geneve", Map.of("vni_ranges", "1:1000", "max_header_size", "38"),
                "securitygroup", Map.of("enable_security_group", "true")));
        ml2.putAll(ovnConnections);
        changed |= d.ini(ctl, "/etc/neutron/plugins/ml2/ml2_conf.ini", ml2, "neutron");
        changed |= d.ini(ports, "/etc/neutron/neutron_ovn_metadata_agent.ini", Map.of(
                "DEFAULT", Map.of("nova_metadata_host", d.endpoints().host(), "metadata_proxy_shared_secret",
                        d.secret("metadata-proxy")),
                // the agent's own OVSDB connection: the local manager the chassis task opens on loopback
                "ovs", Map.of("ovsdb_connection", "tcp:127.0.0.1:6640"),
                "ovn", withClusterProbe(Map.of("ovn_sb_connection", ovnRemotes(ips, 6642)), ips),
                "agent", AS_ROOT), "neutron");
        // Neutron's workers beside the uWSGI API: the packages ship their commands but no units (the image
        // has ours: see unitFiles)
        boolean units = false;
        for (String w : OVN_WORKERS) {
            units |= ctl.call(io.speedling.core.functions.WriteFile.text(unitFile(w), workerUnit(w),
                    io.speedling.core.FileSpec.mode(0644))).containsValue(Boolean.TRUE);
        }
        if (units) {
            ctl.call(Sh.checked("systemctl daemon-reload"));
        }
        return changed || units;
    }

    /** A unit for one of Neutron's workers that the packages ship no unit for. */
    static String workerUnit(String command) {
        return "# written by speedling: Neutron's " + command + " beside the uWSGI API (the package has no unit)\n"
                + "[Unit]\nDescription=OpenStack Neutron " + command + "\nAfter=network.target\n\n"
                + "[Service]\nUser=neutron\nGroup=neutron\nWorkingDirectory=/var/lib/neutron\n"
                + "ExecStart=/usr/bin/" + command + " --config-file=/etc/neutron/neutron.conf "
                + "--config-file=/etc/neutron/plugins/ml2/ml2_conf.ini --log-file=/var/log/neutron/" + command
                + ".log\nRestart=on-failure\n\n[Install]\nWantedBy=multi-user.target\n";
    }

    private Task<Void> planOvn(Deploy d, io.speedling.core.NodeGroup ctl, io.speedling.core.NodeGroup net,
                               io.speedling.core.NodeGroup ports, Task<Boolean> config, Task<Boolean> sync) {
        List<String> ips = controllerIps(d, ctl);
        String sb = ovnRemotes(ips, 6642);
        // the databases listen on the controller's address from their start: a remote set afterwards
        // (ovn-nbctl set-connection) raced the API's first connection
        Task<Boolean> central = d.task(name() + ".ovn_central", ctx -> {
            boolean changed = ctl.callEach(n -> io.speedling.core.functions.WriteFile.text("/etc/default/ovn-central",
                    ovnCentralDefaults(d.ipOf(n), ips), io.speedling.core.FileSpec.mode(0644)))
                    .containsValue(Boolean.TRUE);
            // ovn-central, which wants the three, is what starts them at boot
            List<String> units = new ArrayList<>(OVN_CENTRAL_UNITS);
            units.add("ovn-central");
            d.services(ctl, changed, units.toArray(String[]::new));
            ctl.call(new Sh("for i in $(seq 240); do ss -Hltn '( sport = :6641 or sport = :6642 )' | "
                    + "grep -c LISTEN | grep -qx 2 && exit 0; sleep 0.25; done; "
                    + "echo 'OVN databases not listening on 6641/6642 after 60 s' >&2; exit 1", true));
            if (ips.size() > 1) {
                // every member has joined both clusters (a joiner is a member once the leader took it in)
                ctl.call(Sh.checked(clusterJoinedScript(120)));
            }
            return changed;
        });
        Task<Void> chassis = d.task(name() + ".ovn_chassis", ctx -> {
            var gateways = net.names();
            ports.callEach(n -> Sh.checked(chassisScript(n.name(), sb, encapIp(d, n), providerNic(n),
                    gateways.contains(n.name()))));
            // enabled as well as started: a node that boots again brings its chassis back by itself
            d.services(ports, false, "openvswitch-switch", PROVIDER_UNIT, "ovn-host", "ovn-controller");
            return null;
        }, central);
        // no wait for Keystone: the API and the workers authenticate to nothing at their start, and
        // Neutron's start-up and first networks are the deploy's longest chain
        return d.task(name() + ".start", ctx -> {
            boolean changed = ctx.want(config);
            ctx.want(sync);
            d.services(ctl, changed, "neutron-api", OVN_WORKERS.get(0), OVN_WORKERS.get(1));
            d.services(ports, changed, "neutron-ovn-metadata-agent");
            return null;
            // the API still casts notifications over the message queue (a router's creation failed with
            // HTTP 500 while the messaging user did not exist yet)
        }, sync, chassis, messaging.userReady(d));
    }

    /**
     * The tunnel endpoint of {@code node}: its provider-network address (moved to {@code br-ex},
     * where a userspace datapath can send tunnels from), else its management address.
     */
    private static String encapIp(Deploy d, io.speedling.core.Node node) {
        Object ext = node.data().get("ext_ipv4");
        return ext != null ? ext.toString() : d.ipOf(node);
    }

    /**
     * Shell making {@code node} an OVN chassis, each step only if not done (a rerun changes
     * nothing): the chassis name, Open vSwitch on the userspace datapath, the OVN settings,
     * {@code br-int}, {@code br-ex} holding the provider NIC and its address, a local OVSDB manager
     * for the metadata agent.
     */
    static String chassisScript(String node, String sbRemotes, String encapIp, String nic, boolean gateway) {
        return """
                set -e
                # the chassis is named as the node, not by a random id: OVN and Neutron show it so
                mkdir -p /etc/openvswitch
                [ "$(cat /etc/openvswitch/system-id.conf 2>/dev/null)" = %1$s ] || echo %1$s > /etc/openvswitch/system-id.conf
                # the package starts ovs-vswitchd through ovs-ctl, which insists on loading the kernel module;
                # the userspace datapath needs none
                # (it and the provider unit are in the image, which spares a systemd reload, ~0.8 s of CPU on a
                # node of every service: written and reloaded for here only on a node made without it)
                reload=
                want='%10$s'
                if [ "$(cat %11$s 2>/dev/null)" != "$want" ]; then
                  mkdir -p $(dirname %11$s); printf '%%s\\n' "$want" > %11$s; reload=1
                fi
                # the unit putting the provider addresses on br-ex at boot, for the NIC its environment names
                want='%8$s'
                if [ "$(cat %9$s 2>/dev/null)" != "$want" ]; then printf '%%s\n' "$want" > %9$s; reload=1; fi
                [ -z "$reload" ] || systemctl daemon-reload
                want='%12$s'
                if [ "$(cat %13$s 2>/dev/null)" != "$want" ]; then printf '%%s\n' "$want" > %13$s; fi
                systemctl start ovsdb-server
                # TSO on a userspace datapath must be set before ovs-vswitchd starts
                ovs-vsctl --no-wait set Open_vSwitch . other_config:userspace-tso-enable=true
                ovs-vsctl --no-wait set Open_vSwitch . external_ids:system-id=%1$s external_ids:hostname=%1$s \
                  external_ids:ovn-remote="%2$s" external_ids:ovn-encap-type=geneve \
                  external_ids:ovn-encap-ip=%3$s external_ids:ovn-bridge=br-int \
                  external_ids:ovn-bridge-datapath-type=netdev external_ids:ovn-bridge-mappings=provider:br-ex
                %5$s
                systemctl start ovs-vswitchd
                ovs-vsctl --may-exist add-br br-int -- set Bridge br-int datapath_type=netdev fail_mode=secure \
                  other_config:disable-in-band=true
                ovs-vsctl --may-exist add-br br-ex -- set Bridge br-ex datapath_type=netdev
                # the provider NIC into br-ex (with its MAC), its addresses and routes onto br-ex, where tunnels
                # leave from: now, and at every boot (the node's own network setup puts them back on the NIC)
                if [ "$(ovs-vsctl port-to-br %4$s 2>/dev/null)" != br-ex ]; then
                  ovs-vsctl set Bridge br-ex other_config:hwaddr=$(cat /sys/class/net/%4$s/address)
                  ovs-vsctl add-port br-ex %4$s
                fi
                want='%6$s'
                if [ "$(cat %7$s 2>/dev/null)" != "$want" ]; then printf '%%s\n' "$want" > %7$s; fi
                sh %7$s %4$s
                ovs-vsctl get-manager | grep -qx 'ptcp:6640:127.0.0.1' || ovs-vsctl set-manager ptcp:6640:127.0.0.1
                """.formatted(node, sbRemotes, encapIp, nic, gateway
                ? "ovs-vsctl --no-wait set Open_vSwitch . external_ids:ovn-cms-options=enable-chassis-as-gw" : "",
                PROVIDER_SCRIPT, PROVIDER_SCRIPT_FILE, PROVIDER_UNIT_TEXT, PROVIDER_UNIT_FILE, OVS_DROP_IN_TEXT,
                OVS_DROP_IN, providerEnv(nic), PROVIDER_ENV);
    }

    /** ovs-vswitchd's drop-in: the package starts it through ovs-ctl, which loads the kernel module. */
    static final String OVS_DROP_IN = "/etc/systemd/system/ovs-vswitchd.service.d/speedling.conf";
    static final String OVS_DROP_IN_TEXT = "# written by speedling: userspace datapath, no kernel module to load\n"
            + "[Service]\nExecStart=\nExecStart=/usr/sbin/ovs-vswitchd unix:/var/run/openvswitch/db.sock "
            + "-vconsole:emer -vsyslog:err -vfile:info --no-chdir --log-file=/var/log/openvswitch/ovs-vswitchd.log "
            + "--pidfile=/run/openvswitch/ovs-vswitchd.pid --detach";

    /**
     * The unit files Neutron on OVN writes, none of which depends on the deployment: in the image
     * they spare the deploy a systemd reload (Neutron's workers, ovs-vswitchd's drop-in, the
     * provider unit), on other nodes the deploy writes them as before.
     */
    @Override
    public Map<String, String> unitFiles() {
        if (!ovn) {
            return Map.of();
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (String w : OVN_WORKERS) {
            out.put(unitFile(w), workerUnit(w));
        }
        out.put(OVS_DROP_IN, OVS_DROP_IN_TEXT);
        out.put(PROVIDER_UNIT_FILE, PROVIDER_UNIT_TEXT);
        return out;
    }

    /** Where the unit file of {@code unit} that speedling writes goes. */
    static String unitFile(String unit) {
        return "/etc/systemd/system/" + unit + ".service";
    }

    /** The unit that moves the provider NIC's addresses onto {@code br-ex} at boot. */
    static final String PROVIDER_UNIT = "speedling-ovs-provider";
    static final String PROVIDER_SCRIPT_FILE = "/etc/openvswitch/speedling-provider";

    /**
     * Shell (argument: the provider NIC, a port of {@code br-ex}) moving the NIC's IPv4 addresses and
     * its static routes onto {@code br-ex}; nothing to do when the NIC holds none. No single quotes:
     * the chassis script quotes it so.
     */
    static final String PROVIDER_SCRIPT = """
            # written by speedling: the provider NIC is a port of br-ex (userspace datapath), so its
            # addresses and routes belong on br-ex, where the OVN tunnels leave from
            set -e
            nic=$1
            ip link set br-ex up
            addrs=$(ip -4 -o addr show dev $nic | awk "{print \\$4}")
            [ -n "$addrs" ] || exit 0
            routes=$(ip -4 route show dev $nic proto static; ip -4 route show dev $nic proto boot)
            for a in $addrs; do ip addr del $a dev $nic; ip addr replace $a dev br-ex; done
            echo "$routes" | while read -r r; do [ -z "$r" ] || ip route replace $r dev br-ex; done
            """.strip();

    static final String PROVIDER_UNIT_FILE = unitFile(PROVIDER_UNIT);
    /** The node's own setting for {@link #PROVIDER_UNIT}: which NIC is the provider network's. */
    static final String PROVIDER_ENV = "/etc/default/" + PROVIDER_UNIT;

    /**
     * {@link #PROVIDER_UNIT}'s unit file: after Open vSwitch has its bridges back, before OVN's
     * controller; the same on every node (the NIC comes from {@link #PROVIDER_ENV}).
     */
    static final String PROVIDER_UNIT_TEXT = "# written by speedling: the addresses of the provider network onto "
            + "br-ex at boot\n[Unit]\nDescription=speedling: provider network addresses onto br-ex\n"
            + "Requires=openvswitch-switch.service\nAfter=openvswitch-switch.service\n"
            + "Before=ovn-controller.service neutron-ovn-metadata-agent.service\n\n"
            + "[Service]\nType=oneshot\nRemainAfterExit=yes\nEnvironmentFile=" + PROVIDER_ENV + "\nExecStart=/bin/sh "
            + PROVIDER_SCRIPT_FILE + " ${NIC}\n\n[Install]\nWantedBy=multi-user.target";

    /** {@link #PROVIDER_ENV}'s text for a node whose provider NIC is {@code nic}. */
    static String providerEnv(String nic) {
        return "# written by speedling: the NIC of the provider network, for " + PROVIDER_UNIT + "\nNIC=" + nic;
    }
}
