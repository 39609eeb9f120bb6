package io.speedling.openstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.speedling.core.HostKeyPolicy;
import io.speedling.core.NodeSpec;
import io.speedling.core.SpeedlingException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The inventory file of machines the user has: what it gives the deploy, and every problem it can have. */
class HostsTest {
    static final Path EXAMPLE = Path.of("..", "speedling-examples", "hosts.example.json");

    @Test
    void theExampleFileGivesNodesRolesAddressesAndData(@TempDir Path tmp) throws Exception {
        Path key = Files.writeString(tmp.resolve("id"), "a key");
        // the example names the usual key of its user; here a file that exists stands in for it
        String text = Files.readString(EXAMPLE).replace("~/.ssh/id_ed25519", key.toString());
        Hosts h = Hosts.parse(EXAMPLE, text);
        assertThat(h.inventory().nodes()).containsExactly("controller-01", "compute-01");
        assertThat(h.inventory().rolesOf("controller-01")).containsExactlyInAnyOrder("controller", "network");
        assertThat(h.inventory().virtualIp()).isEmpty();
        assertThat(h.hostKeyPolicy()).isEqualTo(HostKeyPolicy.STRICT);
        assertThat(h.trustNewHosts(true).hostKeyPolicy()).isEqualTo(HostKeyPolicy.TRUST_ON_FIRST_USE);
        NodeSpec compute = h.nodeSpecs().get(1);
        assertThat(compute.ssh().host()).isEqualTo("192.0.2.11");
        assertThat(compute.ssh().user()).isEqualTo("debian");
        assertThat(compute.ssh().identity()).isEqualTo(key);
        assertThat(compute.data()).containsEntry("ip", "10.20.0.11").containsEntry("provider_interface", "enp2s0")
                .containsEntry("rack", "r1");
        assertThat(h.nodeSpecs().get(0).data()).containsEntry("provider_interface", "eth1")
                .containsEntry("ext_ipv4", "203.0.113.10");
        assertThat(compute.data()).doesNotContainKey("ext_ipv4");
        CloudSpec spec = CloudSpec.allInOne().services("keystone").hosts(h);
        assertThat(spec.inventory().nodes()).containsExactly("controller-01", "compute-01");
        assertThat(spec.topology()).isEqualTo("hosts controller-01,compute-01");
        assertThat(spec.hash()).isNotEqualTo(CloudSpec.allInOne().services("keystone").hash());
    }

    @Test
    void everyProblemOfEveryHostIsReportedAtOnce() {
        String text = """
                { "hosts": [
                    { "name": "ctl", "address": "10.0.0.1", "roles": ["controller", "compte"], "prot": 22 },
                    { "name": "ctl", "address": "10.0.0.2", "roles": ["controller"], "port": 70000,
                      "key": "/nonexistent/key" },
                    { "name": "Bad_Name", "address": "lab-host", "roles": [] },
                    { "address": "10.0.0.4", "roles": ["storage"], "management_address": "10.0.0" }
                ] }
                """;
        assertThatThrownBy(() -> Hosts.parse(Path.of("lab.json"), text))
                .isInstanceOf(SpeedlingException.class)
                .hasMessageContaining("hosts file lab.json has ")
                .hasMessageContaining("host 'ctl': unknown role \"compte\"")
                .hasMessageContaining("host 'ctl': unknown field \"prot\"")
                .hasMessageContaining("host 'ctl': port 70000 is not a port number")
                .hasMessageContaining("key /nonexistent/key is not a readable file")
                .hasMessageContaining("host 'ctl' is named twice")
                .hasMessageContaining("host 'Bad_Name' has no \"roles\"")
                .hasMessageContaining("hosts[4] has no \"name\"")
                .hasMessageContaining("management_address '10.0.0' is not an IPv4 address")
                .hasMessageContaining("2 hosts have the controller role; give 1, or 3 or 5")
                .hasMessageContaining("no host has the compute role")
                .hasMessageContaining("nothing was done on any host");
    }

    @Test
    void severalControllersNeedAFreeVirtualIpAndOneControllerNone() {
        String three = """
                { "hosts": [
                    { "name": "c1", "address": "10.0.0.1", "roles": ["controller", "compute"] },
                    { "name": "c2", "address": "10.0.0.2", "roles": ["controller"] },
                    { "name": "c3", "address": "10.0.0.3", "roles": ["controller"] } ] }
                """;
        assertThatThrownBy(() -> Hosts.parse(Path.of("ha.json"), three)).hasMessageContaining("need \"virtual_ip\"");
        assertThatThrownBy(() -> Hosts.parse(Path.of("ha.json"), three.replaceFirst("\\{ \"hosts\"",
                "{ \"virtual_ip\": \"10.0.0.2\", \"hosts\""))).hasMessageContaining("is also a host's address");
        Hosts ha = Hosts.parse(Path.of("ha.json"), three.replaceFirst("\\{ \"hosts\"",
                "{ \"virtual_ip\": \"10.0.0.250\", \"hosts\""));
        assertThat(ha.inventory().virtualIp()).contains("10.0.0.250");
        assertThat(ha.inventory().nodesWith(Inventory.CONTROLLER)).containsExactly("c1", "c2", "c3");
    }

    @Test
    void brokenJsonNamesTheLineAndAMissingFileSaysWhatToGive(@TempDir Path tmp) {
        assertThatThrownBy(() -> Hosts.parse(Path.of("x.json"), "{ \"hosts\": [ {\"name\": \"a\",, } ] }"))
                .hasMessageContaining("hosts file x.json is not valid JSON").hasMessageContaining("at line 1");
        assertThatThrownBy(() -> Hosts.parse(Path.of("x.json"), "{ \"hosts\": [], \"hosts\": [] }"))
                .hasMessageContaining("Duplicate field 'hosts'");
        assertThatThrownBy(() -> Hosts.read(tmp.resolve("missing.json")))
                .hasMessageContaining("cannot read the hosts file").hasMessageContaining("hosts.example.json");
    }

    @Test
    void aSpecOnHostsRefusesNodeCountsOfBootedNodes() {
        Hosts h = Hosts.parse(Path.of("h.json"), """
                { "hosts": [ { "name": "aio", "address": "10.0.0.1", "roles": ["controller", "compute"] } ] }""");
        assertThatThrownBy(() -> CloudSpec.allInOne().workers(1).hosts(h))
                .hasMessageContaining("gives the nodes and their roles; leave controllers, workers and storage unset");
    }

    static final Hosts.Host HOST = Hosts.parse(Path.of("h.json"), """
            { "hosts": [ { "name": "aio", "address": "10.0.0.1", "roles": ["controller", "compute"] } ] }""")
            .hosts().get(0);

    static Map<String, String> facts(String os, String cloud, String listen) {
        return Map.of("os", os, "mem", "24000", "disk", "90000", "cloud", cloud, "nics", "eth0 eth1 lo",
                "listen", listen, "apt", "/usr/bin/apt-get", "hostname", "aio");
    }

    @Test
    void hostChecksNameEveryProblemOfAHostAndWhatToDo() {
        Map<String, String> f = new java.util.HashMap<>(facts("debian trixie", "other", " 22 3306 5000"));
        f.put("mem", "2000");
        f.put("disk", "1000");
        f.put("nics", "eth0 lo");
        f.put("hostname", "lab7");
        f.put("apt", "");
        assertThat(HostChecks.problems("aio", Set.of("controller", "compute"), HOST, f, "mine", Release.ZED))
                .anySatisfy(p -> assertThat(p).contains("host aio (10.0.0.1) runs debian trixie", "Debian bookworm",
                        "or choose release 2025.1"))
                .anySatisfy(p -> assertThat(p).contains("calls itself 'lab7'"))
                .anySatisfy(p -> assertThat(p).contains("no apt-get"))
                .anySatisfy(p -> assertThat(p).contains("holds speedling's cloud 'other'", "--wipe --name other"))
                .anySatisfy(p -> assertThat(p).contains("has 2000 MiB of memory", "at least 3072"))
                .anySatisfy(p -> assertThat(p).contains("1000 MiB free on /"))
                .anySatisfy(p -> assertThat(p).contains("no interface eth1", "provider_interface"))
                .anySatisfy(p -> assertThat(p).contains("ports [3306, 5000] are in use", "ss -ltnp"))
                .hasSize(8);
    }

    @Test
    void aReadyHostPassesAndARerunFindsItsOwnServicesOnThePorts() {
        assertThat(HostChecks.problems("aio", Set.of("controller", "compute"), HOST, facts("debian bookworm", "",
                " 22"), "mine", Release.ZED)).isEmpty();
        assertThat(HostChecks.problems("aio", Set.of("controller", "compute"), HOST, facts("debian bookworm", "mine",
                " 22 3306 5000 5672"), "mine", Release.ZED)).isEmpty();
        // on 2025.1 a trixie host fits, and OVN's databases need their ports too
        assertThat(HostChecks.problems("aio", Set.of("controller", "compute"), HOST, facts("debian trixie", "",
                " 22 6642"), "mine", Release.EPOXY)).singleElement().asString().contains("ports [6642] are in use");
        assertThat(HostChecks.facts("os=debian bookworm\nlisten= 22 80\nodd line\n"))
                .containsEntry("os", "debian bookworm").containsEntry("listen", "22 80").hasSize(2);
    }

    @Test
    void eachHostInstallsOnlyThePackagesOfWhatRunsThere() {
        Hosts h = Hosts.parse(Path.of("h.json"), """
                { "hosts": [ { "name": "ctl", "address": "10.0.0.1", "roles": ["controller"] },
                             { "name": "cmp", "address": "10.0.0.2", "roles": ["compute"] } ] }""");
        Cloud cloud = CloudSpec.allInOne().release("zed").services("nova", "neutron").hosts(h).cloud();
        assertThat(cloud.packagesOn("cmp")).containsExactlyInAnyOrder("nova-compute", "nova-compute-qemu",
                "neutron-linuxbridge-agent", "iptables");
        assertThat(cloud.packagesOn("ctl")).contains("mariadb-server", "rabbitmq-server", "keystone", "nova-api",
                "neutron-server", "neutron-l3-agent", "neutron-linuxbridge-agent", "python3-openstackclient")
                .doesNotContain("nova-compute");
        // an all-in-one host gets every package, as the image has
        Hosts aio = Hosts.parse(Path.of("h.json"), """
                { "hosts": [ { "name": "aio", "address": "10.0.0.1", "roles": ["controller", "compute"] } ] }""");
        Cloud one = CloudSpec.allInOne().services("nova", "neutron").hosts(aio).cloud();
        assertThat(one.packagesOn("aio")).containsExactlyInAnyOrderElementsOf(one.packages());
    }
}
