package io.speedling.openstack;

import static org.assertj.core.api.Assertions.assertThat;

import io.speedling.core.CommandResult;
import io.speedling.core.Fleet;
import io.speedling.core.NodeSpec;
import io.speedling.core.functions.Sh;
import io.speedling.core.testing.RecordingNode;
import io.speedling.core.functions.WriteFile;
import io.speedling.openstack.remote.FernetKeys;
import io.speedling.openstack.remote.KeystoneRegistrar;
import io.speedling.openstack.remote.MergeIni;
import io.speedling.openstack.remote.Mysql;
import io.speedling.openstack.remote.Once;
import io.speedling.openstack.remote.WaitHttp;
import io.speedling.openstack.remote.WaitTcp;
import io.speedling.openstack.remote.Services;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cloud's plan checked without nodes: the deploy runs against recording nodes that answer every
 * remote function from here, and the test reads what was sent where (which files with which keys,
 * which services). Milliseconds, no root, no containers.
 */
class PlanTest {

    /**
     * A node that says yes to everything a deploy asks: files changed, services started, commands
     * ok with empty output (a file size asked with stat is 0), every compute node mapped to a cell.
     */
    static RecordingNode node(Inventory inv, String name, String ip) {
        return new RecordingNode(NodeSpec.local(name).roles(inv.rolesOf(name).toArray(String[]::new))
                .data("mgmt_ipv4", ip))
                .answer(MergeIni.class, m -> true)
                .answer(Services.class, s -> {
                    Map<String, String> started = new LinkedHashMap<>();
                    s.units().forEach(u -> started.put(u, "started"));
                    return started;
                })
                .answer(Sh.class, sh -> new CommandResult(List.of("sh"), 0, sh.script().startsWith("stat -c %s ")
                        ? "0\n" : "", ""))
                .answer(WriteFile.class, w -> true)
                .answer(Mysql.class, m -> m.sql().contains("nova_api.host_mappings")
                        ? String.join("\n", inv.nodesWith(Inventory.COMPUTE)) : "")
                .answer(FernetKeys.class, f -> true)
                // the controllers' token keys as the first deploy leaves them: the same everywhere
                .answer(io.speedling.openstack.remote.FernetRotation.Read.class, r -> Map.of("0", "a", "1", "b"))
                .answer(Once.class, o -> true)
                .answer(WaitHttp.class, w -> 200)
                .answer(WaitTcp.class, w -> 0L)
                .answer(KeystoneRegistrar.class, k -> 0);
    }

    @Test
    void keystoneAloneWritesItsConfigOnTheControllerAndStartsWhatItNeeds(@TempDir Path state) {
        Cloud cloud = CloudSpec.allInOne().name("plan").services("keystone").cloud();
        RecordingNode ctl = node(cloud.inventory(), AllInOne.NODE, "10.9.0.10");
        DeployResult r;
        try (Fleet fleet = Fleet.of(List.of(ctl))) {
            r = Deployer.of(cloud, state).deploy(fleet);
        }
        assertThat(r.report().failed()).isEmpty();
        MergeIni conf = ctl.calls(MergeIni.class).stream().filter(m -> m.path().equals("/etc/keystone/keystone.conf"))
                .findFirst().orElseThrow();
        assertThat(conf.settings().get("database").get("connection")).startsWith("mysql+pymysql://keystone:");
        assertThat(ctl.calls(Services.class)).flatExtracting(Services::units).contains("mariadb", "memcached");
    }

    @Test
    void theApiServicesRegisterTheirCatalogEntriesUsersDatabasesAndFrontends(@TempDir Path state) {
        Cloud cloud = CloudSpec.allInOne().name("plan").services("glance", "placement", "nova", "neutron", "cinder")
                .cloud();
        RecordingNode ctl = node(cloud.inventory(), AllInOne.NODE, "10.9.0.10")
                .answer(Once.Forget.class, f -> true)
                .answer(io.speedling.openstack.remote.EnsureVolumeType.class, t -> true);
        try (Fleet fleet = Fleet.of(List.of(ctl))) {
            assertThat(Deployer.of(cloud, state).deploy(fleet).report().failed()).isEmpty();
        }
        KeystoneRegistrar reg = ctl.calls(KeystoneRegistrar.class).get(0);
        Map<String, String> catalog = new LinkedHashMap<>();
        reg.services().forEach(s -> catalog.put(s.name() + " " + s.type(), s.endpoints().get("public")));
        assertThat(catalog).containsEntry("glance image", "http://10.9.0.10:9292")
                .containsEntry("placement placement", "http://10.9.0.10:8778")
                .containsEntry("nova compute", "http://10.9.0.10:8774/v2.1")
                .containsEntry("neutron network", "http://10.9.0.10:9696")
                .containsEntry("cinderv3 volumev3", "http://10.9.0.10:8776/v3/%(project_id)s")
                .containsEntry("cinder block-storage", "http://10.9.0.10:8776/v3/%(project_id)s");
        assertThat(reg.services()).allSatisfy(s -> assertThat(s.endpoints().keySet())
                .containsExactlyInAnyOrder("public", "internal", "admin"));
        assertThat(reg.users()).filteredOn(u -> u.project().equals("service"))
                .extracting(KeystoneRegistrar.UserDef::name).contains("glance", "placement", "nova", "neutron", "cinder");
        assertThat(cloud.components()).flatExtracting(Component::databases).extracting(Component.Database::name)
                .contains("glance", "placement", "nova_api", "nova", "nova_cell0", "neutron", "cinder");
        assertThat(cloud.components()).flatExtracting(Component::frontends)
                .extracting(f -> f.name() + ":" + f.port() + f.check())
                .contains("glance:9292/", "placement:8778/", "nova:8774/", "nova-metadata:8775/", "neutron:9696/",
                        "cinder:8776/");
    }

    @Test
    void aWorkerGetsComputeAndItsAgentWithItsOwnAddressAndNoDatabaseSecrets(@TempDir Path state) {
        Cloud cloud = CloudSpec.allInOne().release("zed").name("plan").services("nova").workers(1).cloud();
        RecordingNode ctl = node(cloud.inventory(), AllInOne.NODE, "10.9.0.10");
        RecordingNode worker = node(cloud.inventory(), "worker-01", "10.9.0.11");
        DeployResult r;
        try (Fleet fleet = Fleet.of(List.of(ctl, worker))) {
            r = Deployer.of(cloud, state).deploy(fleet);
        }
        assertThat(r.report().failed()).isEmpty();
        assertThat(ini(worker, "/etc/neutron/plugins/ml2/linuxbridge_agent.ini").get("vxlan"))
                .containsEntry("local_ip", "10.9.0.11");
        assertThat(ini(ctl, "/etc/neutron/plugins/ml2/linuxbridge_agent.ini").get("vxlan"))
                .containsEntry("local_ip", "10.9.0.10");
        assertThat(ini(worker, "/etc/neutron/neutron.conf")).doesNotContainKey("database");
        assertThat(ini(ctl, "/etc/neutron/neutron.conf")).containsKey("database");
        assertThat(worker.calls(Services.class)).flatExtracting(Services::units)
                .contains("nova-compute", "neutron-linuxbridge-agent").doesNotContain("nova-api", "mariadb");
        assertThat(ctl.calls(Services.class)).flatExtracting(Services::units).doesNotContain("nova-compute");
    }

    @Test
    void threeControllersServeBehindTheVirtualIpWithOneDatabaseClusterAndOneBrokerCluster(@TempDir Path state) {
        Cloud cloud = CloudSpec.allInOne().release("zed").name("plan").services("nova").controllers(3).workers(1).slice(9)
                .cloud();
        String vip = "10.231.9.250";
        List<RecordingNode> ctl = List.of(node(cloud.inventory(), "controller-01", "10.9.0.10"),
                node(cloud.inventory(), "controller-02", "10.9.0.11"), node(cloud.inventory(), "controller-03", "10.9.0.12"));
        RecordingNode worker = node(cloud.inventory(), "worker-01", "10.9.0.13");
        List<RecordingNode> all = new java.util.ArrayList<>(ctl);
        all.add(worker);
        DeployResult r;
        try (Fleet fleet = Fleet.of(all)) {
            r = Deployer.of(cloud, state).deploy(fleet);
        }
        assertThat(r.report().failed()).isEmpty();
        assertThat(r.keystoneUrl()).isEqualTo("http://" + vip + ":5000/v3");
        RecordingNode two = ctl.get(1);
        // HAProxy on the virtual IP for every API and the database; the database one controller at a time
        assertThat(file(two, "/etc/haproxy/haproxy.cfg")).contains("listen keystone\n    bind " + vip + ":5000\n",
                "server controller-03 10.9.0.12:8774 check\n", "listen mariadb\n    bind " + vip + ":3306",
                "server controller-01 10.9.0.10:3306 check inter 1s\n",
                "server controller-02 10.9.0.11:3306 check inter 1s backup\n", " tcp-ut 3s\n",
                "listen nova-metadata", "listen neutron", "listen placement", "listen glance", "option httpchk GET /v3\n");
        assertThat(file(worker, "/etc/sysctl.d/61-speedling-neigh.conf")).as("a dead controller fails fast on every node")
                .contains("net.ipv4.neigh.eth0.base_reachable_time_ms = 5000\n", "net.ipv4.neigh.eth0.delay_first_probe_time = 1\n");
        assertThat(file(ctl.get(0), "/etc/keepalived/keepalived.conf")).contains("priority 150", "unicast_src_ip 10.9.0.10",
                "10.9.0.11\n        10.9.0.12\n", vip + "/24 dev eth0");
        assertThat(file(ctl.get(2), "/etc/keepalived/keepalived.conf")).contains("priority 130", "nopreempt");
        // each API and the database on the controller's own address
        assertThat(file(two, "/etc/default/keystone")).contains("--http-socket 10.9.0.11:5000 ");
        Map<String, Map<String, String>> db = ini(two, "/etc/mysql/mariadb.conf.d/99-speedling.cnf");
        assertThat(db.get("mysqld")).containsEntry("bind-address", "10.9.0.11");
        assertThat(db.get("galera")).containsEntry("wsrep_node_address", "10.9.0.11")
                .containsEntry("wsrep_cluster_address", "gcomm://10.9.0.10,10.9.0.11,10.9.0.12");
        // the compute and metadata APIs in one process, not the packages' 16 + 8 that each load the whole API
        assertThat(ini(two, "/etc/nova/nova-api-uwsgi.ini").get("uwsgi")).containsEntry("processes", "1")
                .containsEntry("threads", "1").containsEntry("wsgi-file", "/etc/nova/speedling-apis-wsgi.py");
        assertThat(file(two, "/etc/default/nova-api")).contains("--http-socket 10.9.0.11:8774 --http-socket "
                + "10.9.0.11:8775 --ini /etc/nova/nova-api-uwsgi.ini");
        assertThat(file(two, "/etc/nova/speedling-apis-wsgi.py")).contains("init_application('metadata')",
                "environ.get('SERVER_PORT') == '8775'");
        Map<String, Map<String, String>> nova = ini(two, "/etc/nova/nova.conf");
        assertThat(nova.get("DEFAULT")).containsEntry("my_ip", "10.9.0.11");
        assertThat(nova.get("DEFAULT").get("transport_url")).contains("@10.9.0.10:5672,", "@10.9.0.12:5672/");
        assertThat(nova.get("database").get("connection")).contains("@" + vip + "/nova");
        assertThat(nova.get("oslo_messaging_rabbit")).containsEntry("rabbit_quorum_queue", "true");
        assertThat(ini(worker, "/etc/nova/nova.conf").get("oslo_messaging_rabbit")).containsEntry("rabbit_quorum_queue",
                "true");
        // the first two controllers are the network nodes: DHCP on both, routers failing over between them
        assertThat(ini(ctl.get(0), "/etc/neutron/neutron.conf").get("DEFAULT")).containsEntry("l3_ha", "true")
                .containsEntry("dhcp_agents_per_network", "2").containsEntry("max_l3_agents_per_router", "2");
        for (RecordingNode n : List.of(ctl.get(0), ctl.get(1))) {
            assertThat(n.calls(Services.class)).flatExtracting(Services::units)
                    .contains("neutron-l3-agent", "neutron-dhcp-agent", "neutron-metadata-agent", "neutron-linuxbridge-agent");
        }
        assertThat(ctl.get(2).calls(Services.class)).flatExtracting(Services::units).contains("neutron-api")
                .doesNotContain("neutron-l3-agent", "neutron-dhcp-agent", "neutron-metadata-agent",
                        "neutron-linuxbridge-agent");
        assertThat(worker.calls(Services.class)).flatExtracting(Services::units).contains("neutron-linuxbridge-agent")
                .doesNotContain("neutron-l3-agent");
        // the others join the first broker; the worker runs none of it
        assertThat(two.calls(io.speedling.openstack.remote.Once.class)).extracting(o -> o.name())
                .contains("rabbitmq-join");
        assertThat(ctl.get(0).calls(io.speedling.openstack.remote.Once.class)).extracting(o -> o.name())
                .doesNotContain("rabbitmq-join");
        assertThat(worker.calls(Services.class)).flatExtracting(Services::units)
                .doesNotContain("haproxy", "keepalived", "mariadb", "rabbitmq-server");
        for (RecordingNode c : ctl) {
            assertThat(c.calls(Services.class)).flatExtracting(Services::units)
                    .contains("haproxy", "keepalived", "mariadb", "rabbitmq-server", "nova-api", "nova-scheduler")
                    .doesNotContain("nova-api-metadata");
        }
    }

    /** The text of the last file written at {@code path} on the node. */
    static String file(RecordingNode n, String path) {
        List<WriteFile> w = n.calls(WriteFile.class).stream().filter(f -> f.path().equals(path)).toList();
        assertThat(w).as(path + " written on " + n.name()).isNotEmpty();
        return new String(w.get(w.size() - 1).content(), java.nio.charset.StandardCharsets.UTF_8);
    }

    /** Every setting sent for {@code path} to the node, merged in the order sent. */
    static Map<String, Map<String, String>> ini(RecordingNode n, String path) {
        Map<String, Map<String, String>> all = new LinkedHashMap<>();
        n.calls(MergeIni.class).stream().filter(m -> m.path().equals(path))
                .forEach(m -> m.settings().forEach((sec, kv) -> all.computeIfAbsent(sec, k -> new LinkedHashMap<>())
                        .putAll(kv)));
        assertThat(all).as(path + " written on " + n.name()).isNotEmpty();
        return all;
    }

    @Test
    void onBareHostsEachComponentsPackagesInstallInTheGraphBeforeItsOwnTasks(@TempDir Path state) {
        Cloud cloud = CloudSpec.allInOne().release("zed").name("plan").services("nova").workers(1).cloud();
        List<RecordingNode> nodes = new java.util.ArrayList<>();
        for (String n : List.of(AllInOne.NODE, "worker-01")) {
            // every package is missing until installed
            nodes.add(node(cloud.inventory(), n, n.equals(AllInOne.NODE) ? "10.9.0.10" : "10.9.0.11")
                    .answer(Sh.class, sh -> {
                        String s = sh.script();
                        if (s.startsWith("dpkg-query -W -f='${db:Status-Abbrev} ${Package}")) {
                            String names = s.substring(s.indexOf("\\n' ") + 4, s.indexOf(" 2>&1"));
                            return new CommandResult(List.of("sh"), 0, String.join("\n", names.split(" ")) + "\n", "");
                        }
                        return new CommandResult(List.of("sh"), 0, s.startsWith("set -e\nmissing=") ? "pkgs\n"
                                : s.startsWith("stat -c %s ") ? "0\n" : "", "");
                    }));
        }
        DeployResult r;
        try (Fleet fleet = Fleet.of(List.copyOf(nodes))) {
            r = Deployer.of(cloud, state).installPackages(true).deploy(fleet);
        }
        assertThat(r.report().failed()).isEmpty();
        Map<String, io.speedling.core.tasks.TaskRecord> tasks = new LinkedHashMap<>();
        r.report().tasks().forEach(t -> tasks.put(t.name(), t));
        // one install per component and node, chained per node: dpkg does one thing at a time
        assertThat(tasks.keySet()).contains("packages.tools.controller-01", "packages.mariadb.controller-01",
                "packages.keystone.controller-01", "packages.nova.controller-01", "packages.tools.worker-01",
                "packages.nova.worker-01", "packages.neutron.worker-01")
                .doesNotContain("packages.mariadb.worker-01", "packages.keystone.worker-01");
        assertThat(tasks.get("packages.mariadb.controller-01").dependencies())
                .containsExactly("packages.tools.controller-01");
        assertThat(tasks.get("packages.keystone.controller-01").dependencies())
                .containsExactly("packages.memcached.controller-01");
        // a component's tasks wait for its own packages on every node, not for those of later components
        assertThat(tasks.get("mariadb.start").dependencies()).contains("packages.mariadb.controller-01")
                .noneMatch(d -> d.startsWith("packages.keystone"));
        assertThat(tasks.get("nova.compute").dependencies()).contains("packages.nova.worker-01");
        // the first install on a node brings the tools and refreshes the lists; the later ones do not
        List<Sh> installs = nodes.get(1).calls(Sh.class).stream().filter(x -> x.script().startsWith("set -e\nmissing="))
                .toList();
        assertThat(installs.get(0).script()).contains("apt-get -q update", "curl").doesNotContain("nova-compute");
        assertThat(installs.get(1).script()).contains("neutron-linuxbridge-agent").doesNotContain("apt-get -q update");
    }
}
