package io.speedling.openstack.components;

import io.speedling.core.functions.Sh;
import io.speedling.core.tasks.Task;
import io.speedling.openstack.Component;
import io.speedling.openstack.Deploy;
import io.speedling.openstack.DistroFamily;
import io.speedling.openstack.Inventory;
import io.speedling.openstack.remote.KeystoneRegistrar;
import io.speedling.openstack.remote.Once;
import io.speedling.openstack.remote.WaitHttp;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Networking with ML2 and the linuxbridge agent (the kernel here has no openvswitch module),
 * VXLAN tenant networks, a flat provider network on the nodes' second NIC, DHCP, L3 and metadata
 * agents on the network nodes ({@link Inventory#NETWORK}, else the controllers; with several, each
 * network's DHCP is served by all and routers are HA routers failing over between them). The RPC
 * server starts first and the agents once it consumes its queue, so their first calls do not time
 * out.
 */
public final class Neutron extends Component {
    private final MariaDb sql;
    private final RabbitMq messaging;
    private final Keystone keystone;
    private final String providerInterface;

    private Neutron(Builder b) {
        super(b.name);
        String how = "Neutron.builder()";
        this.sql = required(b.sql, b.name, "an SQL server", how + ".sql(mariadb)");
        this.messaging = required(b.messaging, b.name, "a message queue", how + ".messaging(rabbitmq)");
        this.keystone = required(b.keystone, b.name, "keystone", how + ".keystone(keystone)");
        this.providerInterface = b.providerInterface;
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

        public Neutron build() {
            return new Neutron(this);
        }
    }

    @Override
    public List<Component> requires() {
        return List.of(sql, messaging, keystone);
    }

    /**
     * The server on the controllers; DHCP, metadata and L3 agents on the network nodes (the
     * controllers when no node has that role); the linuxbridge agent wherever ports live (network
     * and compute nodes).
     */
    @Override
    public List<String> packagesOn(Inventory inventory, String node) {
        Set<String> roles = inventory.rolesOf(node);
        boolean network = inventory.nodesWith(Inventory.NETWORK).isEmpty() ? roles.contains(Inventory.CONTROLLER)
                : roles.contains(Inventory.NETWORK);
        List<String> out = new ArrayList<>();
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

    @Override
    public Map<DistroFamily, List<String>> packages() {
        return Pkgs.of(List.of("neutron-server", "neutron-linuxbridge-agent", "neutron-dhcp-agent",
                        "neutron-metadata-agent", "neutron-l3-agent", "iptables"),
                List.of("openstack-neutron", "openstack-neutron-ml2", "openstack-neutron-linuxbridge"),
                List.of("openstack-neutron-server", "openstack-neutron-linuxbridge-agent",
                        "openstack-neutron-dhcp-agent", "openstack-neutron-metadata-agent", "openstack-neutron-l3-agent"));
    }

    static final List<String> AGENTS = List.of("neutron-linuxbridge-agent", "neutron-dhcp-agent",
            "neutron-metadata-agent", "neutron-l3-agent");

    @Override
    public List<String> services() {
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

    @Override
    public List<Database> databases() {
        return List.of(new Database("neutron", "neutron"));
    }

    /**
     * The agents' root commands go through one rootwrap daemon per agent instead of a sudo and a
     * Python start-up per command: the agents run hundreds of them (bridges, iptables, namespaces).
     */
    private static final Map<String, String> ROOTWRAP_DAEMON = Map.of("root_helper_daemon",
            "sudo neutron-rootwrap-daemon /etc/neutron/rootwrap.conf");

    @Override
    public List<Frontend> frontends() {
        return List.of(Frontend.http("neutron", 9696, "/"));
    }

    @Override
    public List<KeystoneRegistrar.ServiceDef> catalog(Deploy d) {
        String url = d.endpoints().url(9696);
        return endpoint("neutron", "network", url);
    }

    @Override
    public List<KeystoneRegistrar.UserDef> users(Deploy d) {
        return serviceUser(d, "neutron");
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
        // the linuxbridge agent runs wherever ports live: network nodes (DHCP, routers) and compute nodes
        var ports = union(d, net, compute);
        Task<Boolean> config = d.task(name() + ".config", ctx -> {
            Map<String, Map<String, String>> s = new LinkedHashMap<>();
            Map<String, String> def = new LinkedHashMap<>(Map.of("core_plugin", "ml2", "service_plugins", "router",
                    "transport_url", d.transportUrl(), "auth_strategy", "keystone", "notify_nova_on_port_status_changes",
                    "true", "notify_nova_on_port_data_changes", "true", "api_workers", "2", "rpc_workers", "1"));
            if (net.size() > 1) {
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
            s.put("experimental", Map.of("linuxbridge", "true"));
            s.put("agent", ROOTWRAP_DAEMON);
            boolean changed = d.ini(ctl, "/etc/neutron/neutron.conf", s, "neutron");
            // agents away from the controllers: the message queue and locks, no database
            var workers = Nova.awayFromControllers(d, ctl, ports);
            if (!workers.names().isEmpty()) {
                Map<String, Map<String, String>> w = new LinkedHashMap<>(Map.of(
                        "DEFAULT", Map.of("transport_url", d.transportUrl(), "auth_strategy", "keystone"),
                        "oslo_concurrency", Map.of("lock_path", "/var/lib/neutron/tmp"),
                        "experimental", Map.of("linuxbridge", "true"), "agent", ROOTWRAP_DAEMON));
                w.putAll(d.messaging());
                changed |= d.ini(workers, "/etc/neutron/neutron.conf", w, "neutron");
            }
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
                    "linux_bridge", Map.of("physical_interface_mappings", "provider:" + node.data()
                            .getOrDefault(io.speedling.openstack.Hosts.PROVIDER_INTERFACE, providerInterface)),
                    "vxlan", Map.of("enable_vxlan", "true", "local_ip", d.ipOf(node), "l2_population", "true"),
                    "securitygroup", Map.of("enable_security_group", "true", "firewall_driver",
                            "neutron.agent.linux.iptables_firewall.IptablesFirewallDriver")), "neutron");
            return changed;
        });
        Task<Boolean> sync = d.task(name() + ".db_sync", ctx -> d.onController(new Once("neutron-db-sync",
                Keystone.stamp(d, "neutron-common"), List.of("neutron-db-manage", "--config-file",
                "/etc/neutron/neutron.conf", "--config-file", "/etc/neutron/plugins/ml2/ml2_conf.ini", "upgrade",
                "heads"), Map.of(), "neutron")), config, sql.schemas(d));
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
        Task<Void> start = d.task(name() + ".start", ctx -> {
            boolean changed = ctx.want(config);
            ctx.want(keystone.registered(d));
            d.services(ctl, changed, "neutron-api");
            d.services(net, changed, "neutron-dhcp-agent", "neutron-metadata-agent", "neutron-l3-agent");
            d.services(ports, changed, "neutron-linuxbridge-agent");
            return null;
        }, rpc);
        // ready for clients: answering, and in the catalog with its service user
        d.task(name() + ".ready", ctx -> d.onController(new WaitHttp(d.endpoints().url(9696, "/"), 120, "neutron-api")),
                start, keystone.registered(d));
    }
}
