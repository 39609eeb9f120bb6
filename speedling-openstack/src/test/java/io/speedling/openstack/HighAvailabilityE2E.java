package io.speedling.openstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.speedling.core.Fleet;
import io.speedling.core.Node;
import io.speedling.core.functions.Sh;
import io.speedling.virt.nodes.Cluster;
import io.speedling.virt.nodes.NspawnProvider;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Three controllers and a worker behind a virtual IP, for real: the cloud deploys and serves its
 * catalog through the virtual IP; the controller holding it is powered off (its container killed)
 * and tokens, image lists and the whole verifier (a server made ACTIVE and deleted) pass through
 * the virtual IP on the others; the dead
 * controller boots again, rejoins Galera and RabbitMQ by itself, a rerun restarts nothing, and the
 * token keys rotate on every controller together. Slice
 * 236 is this test's own.
 */
@org.junit.jupiter.api.Order(E2eOrder.HIGH_AVAILABILITY)
@Timeout(value = 30, unit = TimeUnit.MINUTES)
class HighAvailabilityE2E {
    static final int SLICE = 236;
    static final Path STATE = Path.of("target", "e2e-ha").toAbsolutePath();
    /**
     * The release: zed unless {@code -Dspeedling.e2e.ha.release=2025.1} (or another) asks otherwise. Zed in
     * CI for its time: on OVN (2025.1) the server is made only once Neutron's hash ring has let the dead
     * controller go ({@link io.speedling.openstack.components.Neutron#awaitHashRingWithout}), up to three
     * minutes more than on linuxbridge, which CI's 45 minutes do not hold; run by hand on 2025.1.
     */
    static final String RELEASE = System.getProperty("speedling.e2e.ha.release", Release.ZED.id());
    static NspawnProvider provider;

    @BeforeAll
    static void host() {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root (containers)");
        assumeTrue(NspawnProvider.hostProblem().isEmpty(), () -> NspawnProvider.hostProblem().orElse(""));
        provider = NspawnProvider.create(STATE.resolve("nodes"));
        provider.wipe(SLICE);
    }

    @AfterAll
    static void wipe() {
        if (provider != null) {
            provider.wipe(SLICE);
        }
    }

    /** The controller whose management interface holds {@code vip}. */
    static String holder(Fleet fleet, List<String> controllers, String vip) {
        List<String> holders = controllers.stream().filter(n -> fleet.node(n).call(Sh.checked("ip -4 -o addr show"))
                .stdout().contains(" " + vip + "/")).toList();
        assertThat(holders).as("controllers holding " + vip).hasSize(1);
        return holders.get(0);
    }

    /** The distinct outputs of {@code command} on {@code nodes}: one when they all print the same. */
    static java.util.Set<String> outputs(Fleet fleet, List<String> nodes, String command) {
        return fleet.group(nodes.toArray(String[]::new)).call(Sh.checked(command)).values().stream()
                .map(r -> r.stdout()).collect(java.util.stream.Collectors.toSet());
    }

    /** Runs {@code command} on {@code node} every half second until it succeeds; the seconds it took. */
    static double until(Node node, String command, int seconds) throws InterruptedException {
        long t0 = System.nanoTime();
        String last = "";
        while (System.nanoTime() - t0 < seconds * 1_000_000_000L) {
            var r = node.call(Sh.of(command));
            if (r.ok()) {
                return (System.nanoTime() - t0) / 1e9;
            }
            last = r.stderr().strip();
            Thread.sleep(500);
        }
        throw new AssertionError(command + " did not succeed on " + node.name() + " within " + seconds + " s: " + last);
    }

    @Test
    void theCloudLivesThroughTheDeathOfTheControllerHoldingTheVirtualIp() throws Exception {
        AllInOne ha = AllInOne.of(CloudSpec.allInOne().release(RELEASE).services(ServiceRegistry.DEFAULTS)
                .controllers(3).workers(1).name("e2e-ha").slice(SLICE)).provider(provider);
        String vip = AllInOne.virtualIp(SLICE);
        List<String> controllers = AllInOne.controllerNames(3);
        Path state = STATE.resolve("cloud");
        Deployer deployer = Deployer.of(ha.cloud(), state);
        try (Cluster cluster = ha.nodes(ha.image())) {
            String dead;
            try (Fleet fleet = AllInOne.connect(cluster)) {
                DeployResult r = deployer.deploy(fleet);
                System.out.println(r.summary());
                assertThat(r.report().failed()).isEmpty();
                assertThat(r.keystoneUrl()).isEqualTo("http://" + vip + ":5000/v3");
                // the whole verifier runs once, after the failover, through the virtual IP with a controller
                // gone (a server needs every service there): a second run before it cost CI 2-4 minutes
                assertThat(fleet.node("controller-02").call(Sh.checked(". /root/admin-openrc.sh && openstack "
                        + "catalog list -f value -c Name")).stdout()).contains("keystone", "glance", "nova", "neutron",
                        "placement");
                for (String c : controllers) {
                    Node n = fleet.node(c);
                    assertThat(n.call(Sh.checked("mysql -N -B -e \"SHOW STATUS LIKE 'wsrep_cluster_size'\""))
                            .stdout()).as(c).contains("3");
                    assertThat(n.call(Sh.checked("rabbitmqctl -q cluster_status --formatter json")).stdout())
                            .as(c).contains(controllers.stream().map(x -> "rabbit@" + x).toArray(String[]::new));
                    // each API on the controller's own address, HAProxy on the virtual IP
                    assertThat(n.call(Sh.checked("ss -Htln")).stdout()).as(c)
                            .contains(vip + ":5000", cluster.node(c).address() + ":5000", vip + ":3306");
                }
                // tokens issued by one controller are read by the others: the same Fernet keys everywhere
                assertThat(outputs(fleet, controllers,
                        "sha256sum /etc/keystone/fernet-keys/0 /etc/keystone/fernet-keys/1 | cut -d' ' -f1")).hasSize(1);
                dead = holder(fleet, controllers, vip);
            }

            cluster.powerOff(dead);
            try (Fleet fleet = AllInOne.connect(cluster, controllers.stream().filter(c -> !c.equals(dead)).toList())) {
                Node survivor = fleet.nodes().get(0);
                double token = until(survivor, ". /root/admin-openrc.sh && openstack token issue -f value -c id", 60);
                System.out.printf("first token through %s %.1f s after %s was powered off%n", vip, token, dead);
                survivor.call(Sh.checked(". /root/admin-openrc.sh && openstack image list -f value"));
                assertThat(holder(fleet, fleet.nodes().stream().map(Node::name).toList(), vip)).isNotEqualTo(dead);
                // on OVN, Neutron hands a third of the port events to the dead controller's API until its
                // hash ring lets it go (up to 180 s after the death); a server made before may stay in BUILD
                double ring = io.speedling.openstack.components.Neutron.awaitHashRingWithout(survivor, dead);
                System.out.printf("Neutron's hash ring without %s after %.0f s more%n", dead, ring);
                // a server (fake driver) made, ACTIVE and deleted through the virtual IP, with one controller gone
                assertThat(Verifier.run(survivor, ha.spec().services())).containsKey("server_active");
            }

            cluster.start();
            try (Fleet fleet = AllInOne.connect(cluster)) {
                Node back = fleet.node(dead);
                // by itself, at boot: Galera by state transfer, the broker from its own cluster record
                until(back, "mysql -N -B -e \"SHOW STATUS LIKE 'wsrep_local_state_comment'\" | grep -q Synced", 180);
                until(back, "rabbitmqctl -q cluster_status --formatter json | grep -q '\"running_nodes\":\\[[^]]*,[^]]*,'",
                        120);
                DeployResult again = deployer.deploy(fleet);
                System.out.println(again.summary());
                assertThat(again.report().failed()).isEmpty();
                Map<String, String> restarted = again.serviceActions();
                assertThat(restarted).as("services restarted by the rerun after %s came back", dead)
                        .doesNotContainValue("restarted");
                // the returned controller serves again: a token through its own Keystone
                back.call(Sh.checked(". /root/admin-openrc.sh && OS_AUTH_URL=http://"
                        + cluster.node(dead).address() + ":5000/v3 openstack token issue -f value -c id"));

                // the token keys rotate together: every controller holds the same keys after it, and a token
                // made with the new primary opens with that key on every controller
                assertThat(io.speedling.openstack.components.Keystone.rotateFernetKeys(fleet, controllers))
                        .isEqualTo(2);
                assertThat(outputs(fleet, controllers, "cd /etc/keystone/fernet-keys && ls && sha256sum 0 1 2 "
                        + "| cut -d' ' -f1")).hasSize(1);
                String token = FernetTokens.issue(back);
                for (String c : controllers) {
                    assertThat(FernetTokens.keysThatOpen(fleet.node(c), token)).as(c).isEqualTo("2");
                }
            }
        }
    }
}
