package io.speedling.openstack.components;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NeutronOvnTest {
    @Test
    void theChassisScriptNamesTheNodeAndMovesTheProviderNicOnce() {
        String gw = Neutron.chassisScript("controller-01", "tcp:10.0.0.10:6642", "10.232.1.10", "eth1", true);
        assertThat(gw).contains("echo controller-01 > /etc/openvswitch/system-id.conf",
                "ovn-remote=\"tcp:10.0.0.10:6642\"", "ovn-encap-ip=10.232.1.10", "enable-chassis-as-gw",
                "port-to-br eth1 2>/dev/null)\" != br-ex", "ovs-vsctl add-port br-ex eth1",
                "printf '%s\\n' \"$want\"", "sh /etc/openvswitch/speedling-provider eth1\n",
                "ExecStart=/bin/sh /etc/openvswitch/speedling-provider ${NIC}\n", "NIC=eth1'");
        assertThat(Neutron.chassisScript("worker-01", "tcp:10.0.0.10:6642", "10.232.1.11", "eth1", false))
                .doesNotContain("enable-chassis-as-gw");
    }

    /** The chassis script, with the boot-time script and unit it quotes inside, is shell sh can parse. */
    @Test
    void theChassisScriptAndTheProviderScriptItWritesParse(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        // both go inside single quotes
        assertThat(Neutron.PROVIDER_SCRIPT + Neutron.PROVIDER_UNIT_TEXT + Neutron.OVS_DROP_IN_TEXT
                + Neutron.providerEnv("eth1")).doesNotContain("'");
        for (String script : List.of(Neutron.chassisScript("controller-01", "tcp:10.0.0.10:6642", "10.232.1.10", "eth1",
                true), Neutron.PROVIDER_SCRIPT)) {
            java.nio.file.Path f = java.nio.file.Files.writeString(dir.resolve("s.sh"), script);
            Process p = new ProcessBuilder("sh", "-n", f.toString()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertThat(p.waitFor()).as(out).isZero();
        }
        // awk is given its $4, not an empty shell variable
        assertThat(Neutron.PROVIDER_SCRIPT).contains("awk \"{print \\$4}\"");
    }

    @Test
    void withSeveralControllersTheDatabasesAreClustersTheFirstCreatesAndTheOthersJoin() {
        assertThat(Neutron.ovnCentralDefaults("10.0.0.10", List.of("10.0.0.10"))).isEqualTo("""
                # written by speedling: OVN's databases listen for Neutron and the chassis
                OVN_CTL_OPTS="--db-nb-addr=10.0.0.10 --db-sb-addr=10.0.0.10 --db-nb-create-insecure-remote=yes \
                --db-sb-create-insecure-remote=yes"
                """);
        List<String> three = List.of("10.0.0.11", "10.0.0.12", "10.0.0.13");
        String first = Neutron.ovnCentralDefaults("10.0.0.11", three);
        String second = Neutron.ovnCentralDefaults("10.0.0.12", three);
        assertThat(first).contains("--db-nb-addr=10.0.0.11 ", "--db-nb-cluster-local-addr=10.0.0.11 ",
                "--db-sb-cluster-local-addr=10.0.0.11 ",
                "--ovn-northd-nb-db=tcp:10.0.0.11:6641,tcp:10.0.0.12:6641,tcp:10.0.0.13:6641 ",
                "--ovn-northd-sb-db=tcp:10.0.0.11:6642,tcp:10.0.0.12:6642,tcp:10.0.0.13:6642\"")
                .doesNotContain("remote-addr");
        assertThat(second).contains("--db-sb-addr=10.0.0.12 ", "--db-nb-cluster-local-addr=10.0.0.12 ",
                "--db-nb-cluster-remote-addr=10.0.0.11 ", "--db-sb-cluster-remote-addr=10.0.0.11 ");
        assertThat(Neutron.ovnRemotes(three, 6642)).isEqualTo("tcp:10.0.0.11:6642,tcp:10.0.0.12:6642,tcp:10.0.0.13:6642");
    }

    /** The cluster wait's shell, run with an {@code ovs-appctl} whose southbound copy is still joining. */
    @Test
    void neutronProbesItsClusterConnectionsEveryTenSecondsAndASingleDatabaseKeepsTheDefault() {
        assertThat(Neutron.clusterProbe(List.of("10.0.0.10", "10.0.0.11", "10.0.0.12")))
                .containsExactly(java.util.Map.entry("ovsdb_probe_interval", "10000"));
        assertThat(Neutron.clusterProbe(List.of("10.0.0.10"))).isEmpty();
    }

    @Test
    void theClusterWaitPassesForMembersWithALeaderAndShowsTheStatusOtherwise(
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path fake = dir.resolve("ovs-appctl");
        java.nio.file.Files.writeString(fake, """
                #!/bin/sh
                # -t CTL cluster/status DB
                case "$2" in *ovnnb_db.ctl) echo 'Status: cluster member'; echo 'Leader: 1a2b';;
                  *) cat "$(dirname "$0")/sb";; esac
                """);
        fake.toFile().setExecutable(true);
        java.nio.file.Files.writeString(dir.resolve("sb"), "Role: candidate\nStatus: joining cluster\nLeader: unknown\n");
        String script = "PATH=" + dir + ":$PATH\n" + Neutron.clusterJoinedScript(1);
        Process p = new ProcessBuilder("sh", "-c", script).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.waitFor()).isEqualTo(1);
        assertThat(out).contains("are not cluster members with a leader after 1 s", "Status: joining cluster");

        java.nio.file.Files.writeString(dir.resolve("sb"), "Status: cluster member\nLeader: self\n");
        p = new ProcessBuilder("sh", "-c", script).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertThat(p.waitFor()).isZero();
    }

    /**
     * The unit files the image carries are the ones the deploy writes: on a node of the image the
     * chassis and the config find them unchanged and reload nothing. Run for real: the image's
     * shell writes them under a root, the chassis script's own comparison lines read them back.
     */
    @Test
    void theImageCarriesTheUnitFilesTheDeployWouldWrite(@org.junit.jupiter.api.io.TempDir java.nio.file.Path root)
            throws Exception {
        io.speedling.openstack.components.MariaDb db = new MariaDb();
        Keystone ks = Keystone.builder().sql(db).memcached(new Memcached()).build();
        Neutron ovn = Neutron.builder().sql(db).messaging(new RabbitMq()).keystone(ks).ovn(true).build();
        Map<String, String> files = ovn.unitFiles();
        assertThat(files).containsKeys("/etc/systemd/system/neutron-periodic-workers.service",
                "/etc/systemd/system/neutron-ovn-maintenance-worker.service", Neutron.OVS_DROP_IN,
                "/etc/systemd/system/speedling-ovs-provider.service");
        assertThat(files.get("/etc/systemd/system/neutron-periodic-workers.service"))
                .isEqualTo(Neutron.workerUnit("neutron-periodic-workers"));
        assertThat(files.get(Neutron.PROVIDER_UNIT_FILE)).contains("EnvironmentFile=/etc/default/speedling-ovs-provider",
                "ExecStart=/bin/sh /etc/openvswitch/speedling-provider ${NIC}\n");
        Map<String, String> rooted = new java.util.TreeMap<>();
        files.forEach((path, text) -> rooted.put(root + path, text));
        run("set -e\n" + io.speedling.openstack.OpenStackImage.unitFilesScript(rooted));
        for (var e : files.entrySet()) {
            assertThat(java.nio.file.Files.readString(java.nio.file.Path.of(root + e.getKey()))).as(e.getKey())
                    .isEqualTo(e.getValue());
        }
        // the chassis script's lines up to its reload, with the files under root: nothing to reload
        String chassis = Neutron.chassisScript("controller-01", "tcp:10.0.0.10:6642", "10.232.1.10", "eth1", true);
        String upToReload = chassis.substring(chassis.indexOf("reload=\n"), chassis.indexOf("[ -z \"$reload\" ]"))
                .replace(" /etc/systemd/", " " + root + "/etc/systemd/");
        assertThat(run(upToReload + "echo \"reload=$reload\"\n")).isEqualTo("reload=\n");
        // and on a node without them, both are written and systemd reloaded once
        java.nio.file.Files.delete(java.nio.file.Path.of(root + Neutron.OVS_DROP_IN));
        java.nio.file.Files.delete(java.nio.file.Path.of(root + Neutron.PROVIDER_UNIT_FILE));
        assertThat(run(upToReload + "echo \"reload=$reload\"\n")).isEqualTo("reload=1\n");
        assertThat(java.nio.file.Files.readString(java.nio.file.Path.of(root + Neutron.OVS_DROP_IN)))
                .isEqualTo(Neutron.OVS_DROP_IN_TEXT + "\n");
        assertThat(Neutron.builder().sql(db).messaging(new RabbitMq()).keystone(ks).ovn(false)
                .release(io.speedling.openstack.Release.ZED).build().unitFiles()).isEmpty();
    }

    private static String run(String script) throws Exception {
        Process p = new ProcessBuilder("sh", "-c", script).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
        return out;
    }

    @Test
    void theWorkersTheApiLeavesOutGetUnitsOfTheirOwn() {
        assertThat(Neutron.workerUnit("neutron-periodic-workers")).contains("User=neutron",
                "ExecStart=/usr/bin/neutron-periodic-workers --config-file=/etc/neutron/neutron.conf "
                        + "--config-file=/etc/neutron/plugins/ml2/ml2_conf.ini",
                "WantedBy=multi-user.target");
    }

    /** The wait's shell, run with an {@code ovn-sbctl} that knows one registered chassis. */
    @Test
    void theWaitForMetadataAgentsNamesTheChassisWithoutOne(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path fake = dir.resolve("ovn-sbctl");
        java.nio.file.Files.writeString(fake, """
                #!/bin/sh
                # the last argument is name=CHASSIS
                for a; do last=$a; done
                [ "$last" = name=controller-01 ] && echo 'neutron:ovn-metadata-id="a1" neutron:ovn-metadata-sb-cfg="3"'
                exit 0
                """);
        fake.toFile().setExecutable(true);
        String script = "PATH=" + dir + ":$PATH; " + Neutron.unregisteredMetadataAgents(
                java.util.List.of("controller-01", "worker-01", "worker-02"), 1);
        Process p = new ProcessBuilder("sh", "-c", script).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).isZero();
        assertThat(out.strip()).isEqualTo("worker-01 worker-02");
        p = new ProcessBuilder("sh", "-c", "PATH=" + dir + ":$PATH; " + Neutron.unregisteredMetadataAgents(
                java.util.List.of("controller-01"), 1)).redirectErrorStream(true).start();
        assertThat(new String(p.getInputStream().readAllBytes()).strip()).isEmpty();
    }
}
