package io.speedling.openstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.speedling.core.Fleet;
import io.speedling.core.SpeedlingException;
import io.speedling.core.functions.Sh;
import io.speedling.core.tasks.Progress;
import io.speedling.virt.image.Image;
import io.speedling.virt.image.ImageCache;
import io.speedling.virt.image.Recipes;
import io.speedling.virt.nodes.Cluster;
import io.speedling.virt.nodes.NspawnProvider;
import io.speedling.virt.nodes.SlicePlan;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Machines the user already has: two nodes booted from a plain Debian base (systemd, sshd, sudo,
 * no OpenStack package, no Java) stand in for them and reach speedling only through an inventory
 * file and SSH, with host keys checked strictly against the file's known_hosts. A file whose hosts
 * are not ready is refused with every problem at once and nothing changed; then a controller and a
 * worker deploy from nothing (a Java runtime shipped, the packages installed during the deploy),
 * pass the verifier, a rerun restarts nothing, and the wipe takes away what the deploy installed.
 * Slice 238 is this test's own.
 *
 * <p>The services: Keystone (with its database and cache) in a test run, where installing them
 * from the archive takes minutes already; {@code -Dspeedling.e2e.hosts.services=nova,neutron}
 * deploys Nova and Neutron across both hosts (about 10 minutes here: the controller installs ~20
 * packages with some 500 dependencies on two cores), as measured for the README.
 */
@org.junit.jupiter.api.Order(E2eOrder.BARE_HOSTS)
@Timeout(value = 45, unit = TimeUnit.MINUTES)
class ExistingHostsE2E {
    static final int SLICE = 238;
    static final Path STATE = Path.of("target", "e2e-hosts").toAbsolutePath();
    /** What this test deploys (with what it needs). */
    static final List<String> SERVICES = List.of(System.getProperty("speedling.e2e.hosts.services", "keystone")
            .split(","));
    static final String CLOUD = "hosts-e2e";
    static NspawnProvider provider;

    @BeforeAll
    static void host() {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root (containers)");
        assumeTrue(NspawnProvider.hostProblem().isEmpty(), () -> NspawnProvider.hostProblem().orElse(""));
        provider = NspawnProvider.create(STATE.resolve("nodes"));
        provider.wipe(SLICE);
        Deployer.removeStateDir(Deployer.defaultStateDir(CLOUD));  // a failed run's secrets
    }

    @AfterAll
    static void wipe() {
        if (provider != null) {
            provider.wipe(SLICE);
            Deployer.removeStateDir(Deployer.defaultStateDir(CLOUD));
        }
    }

    static String hostsJson(Cluster c, String workerNic) {
        String key = c.identity().toString();
        return """
                {
                  "known_hosts": "%s",
                  "hosts": [
                    { "name": "controller-01", "address": "%s", "key": "%s", "roles": ["controller"],
                      "provider_address": "%s" },
                    { "name": "worker-01", "address": "%s", "key": "%s", "roles": ["compute"],
                      "provider_interface": "%s", "data": { "rack": "r1" } }
                  ]
                }
                """.formatted(c.knownHosts(), c.node("controller-01").address(), key,
                c.node("controller-01").spec().data().get("ext_ipv4"), c.node("worker-01").address(), key, workerNic);
    }

    @Test
    void aControllerAndAWorkerDeployFromNothingOntoHostsGivenByAFile(@TempDir Path tmp) throws Exception {
        // hosts of the default release's Debian suite (the packages come from the host's own suite)
        Image base = ImageCache.openDefault().build(Recipes.base(CloudSpec.allInOne().release().suite()));
        SlicePlan plan = SlicePlan.slice(SLICE).node("controller", 1).node("worker", 1).build();
        try (Cluster c = provider.cycle(plan, base)) {
            Path bad = Files.writeString(tmp.resolve("bad.json"), hostsJson(c, "eth9"));
            CloudSpec spec = CloudSpec.allInOne().name(CLOUD).services(SERVICES).verify(true);
            // a host that is not ready: refused before anything is installed or marked
            assertThatThrownBy(() -> OpenStackCloud.up(spec.hosts(Hosts.read(bad)), Progress.lines(System.out), false))
                    .isInstanceOf(SpeedlingException.class)
                    .hasMessageContaining("host worker-01 (" + c.node("worker-01").address() + ") has no interface eth9")
                    .hasMessageContaining("nothing was changed on any host");
            try (Fleet f = c.fleet().connect()) {
                assertThat(f.all().call(Sh.of("ls /var/lib/speedling 2>&1; dpkg-query -W mariadb-server 2>&1; "
                        + "command -v java || echo no-java")).values())
                        .allSatisfy(r -> assertThat(r.stdout()).contains("No such file", "no packages found",
                                "no-java"));
            }

            Path file = Files.writeString(tmp.resolve("hosts.json"), hostsJson(c, "eth1"));
            CloudSpec onHosts = spec.hosts(Hosts.read(file));
            long t0 = System.nanoTime();
            try (OpenStackCloud cloud = OpenStackCloud.up(onHosts, Progress.lines(System.out), false)) {
                double deploySeconds = (System.nanoTime() - t0) / 1e9;
                assertThat(cloud.cluster()).isNull();
                assertThat(cloud.kept()).isTrue();
                assertThat(cloud.controller().call(Sh.checked("cat " + Deployer.INSTALLED_RECORD)).stdout())
                        .contains("keystone", "mariadb-server");
                if (cloud.spec().services().contains("nova")) {
                    assertThat(cloud.controller().call(Sh.checked(". /root/admin-openrc.sh && openstack compute "
                            + "service list -f value -c Binary -c Host -c State")).stdout())
                            .contains("nova-compute worker-01 up");
                    // the worker got only what runs there
                    boolean ovn = !cloud.spec().release().hasLinuxbridge();
                    assertThat(cloud.fleet().node("worker-01").call(Sh.checked("cat " + Deployer.INSTALLED_RECORD))
                            .stdout()).contains("nova-compute", ovn ? "ovn-host" : "neutron-linuxbridge-agent")
                            .doesNotContain("keystone");
                    // the provider network is on the NIC the file names
                    assertThat(cloud.fleet().node("worker-01").call(Sh.checked(ovn ? "ovs-vsctl port-to-br eth1"
                            : "grep physical_interface_mappings /etc/neutron/plugins/ml2/linuxbridge_agent.ini"))
                            .stdout()).contains(ovn ? "br-ex" : "provider:eth1");
                }
                assertThat(cloud.sshConfig()).content().contains("Host worker-01", "HostName "
                        + c.node("worker-01").address());
                System.out.printf("existing hosts: first deploy from nothing %.1f s%n", deploySeconds);
            }
            t0 = System.nanoTime();
            try (OpenStackCloud again = OpenStackCloud.up(onHosts, Progress.lines(System.out), false)) {
                assertThat(again.deployResult().restarted()).as("services restarted by a rerun").isZero();
                System.out.printf("existing hosts: rerun %.1f s%n", (System.nanoTime() - t0) / 1e9);
            }

            OpenStackCloud.wipe(onHosts);
            assertThat(Deployer.defaultStateDir(CLOUD)).doesNotExist();
            assertThat(Deployer.defaultStateDir(CLOUD).resolveSibling(CLOUD + ".lock")).doesNotExist();
            try (Fleet f = c.fleet().connect()) {
                assertThat(f.all().call(Sh.of("ls /var/lib/speedling /var/lib/mysql 2>&1; "
                        + "dpkg-query -W -f='${db:Status-Abbrev}\\n' mariadb-server keystone nova-compute 2>&1"))
                        .values())
                        .allSatisfy(r -> assertThat(r.stdout()).doesNotContain("ii"));
            }
        }
    }
}
