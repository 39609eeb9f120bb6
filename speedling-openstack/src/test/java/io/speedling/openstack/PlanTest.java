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
                .answer(Once.class, o -> true)
                .answer(WaitHttp.class, w -> 200)
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
    void aWorkerGetsComputeAndItsAgentWithItsOwnAddressAndNoDatabaseSecrets(@TempDir Path state) {
        Cloud cloud = CloudSpec.allInOne().name("plan").services("nova").workers(1).cloud();
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

    /** Every setting sent for {@code path} to the node, merged in the order sent. */
    static Map<String, Map<String, String>> ini(RecordingNode n, String path) {
        Map<String, Map<String, String>> all = new LinkedHashMap<>();
        n.calls(MergeIni.class).stream().filter(m -> m.path().equals(path))
                .forEach(m -> m.settings().forEach((sec, kv) -> all.computeIfAbsent(sec, k -> new LinkedHashMap<>())
                        .putAll(kv)));
        assertThat(all).as(path + " written on " + n.name()).isNotEmpty();
        return all;
    }
}
