package io.speedling.openstack.components;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class NeutronOvnTest {
    @Test
    void theChassisScriptNamesTheNodeAndMovesTheProviderNicOnce() {
        String gw = Neutron.chassisScript("controller-01", "10.0.0.10", "10.232.1.10", "eth1", true);
        assertThat(gw).contains("echo controller-01 > /etc/openvswitch/system-id.conf",
                "ovn-remote=\"tcp:10.0.0.10:6642\"", "ovn-encap-ip=10.232.1.10", "enable-chassis-as-gw",
                "port-to-br eth1 2>/dev/null)\" != br-ex", "ovs-vsctl add-port br-ex eth1",
                "printf '%s\\n' \"$want\"");
        assertThat(Neutron.chassisScript("worker-01", "10.0.0.10", "10.232.1.11", "eth1", false))
                .doesNotContain("enable-chassis-as-gw");
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
