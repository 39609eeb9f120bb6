package io.speedling.openstack;

import static org.assertj.core.api.Assertions.assertThat;

import io.speedling.core.functions.Sh;
import io.speedling.openstack.junit.SpeedlingCloud;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A controller and one worker node, as a test class asks for it: nova-compute and the network's
 * agent (ovn-controller and the OVN metadata agent; on Zed the linuxbridge agent) run on the
 * worker, the verification's server (fake driver) lands there and reaches ACTIVE over the tunnel
 * between the two nodes (Geneve; on Zed VXLAN), and a server there reaches the public network and
 * answers on its floating IP. A config override for the worker lands in the worker's nova.conf
 * only. The cloud also has {@link StorageNodesE2E}'s two storage
 * nodes (the same annotation: one deploy serves both classes).
 */
@org.junit.jupiter.api.Order(E2eOrder.CONTROLLER_AND_WORKERS)
@SpeedlingCloud(workers = 1, storage = 2, verify = true, config = ControllerAndWorkerE2E.WORKER_OVERRIDE)
class ControllerAndWorkerE2E {
    static final String WORKER_OVERRIDE = "worker-01:/etc/nova/nova.conf:DEFAULT.cpu_allocation_ratio=4.0";
    /** The override's line as written (2025.1's packaged nova.conf has "#initial_cpu_allocation_ratio = 4.0"). */
    private static final String WORKER_LINE = "(?m)^cpu_allocation_ratio = 4.0$";

    private static List<String> admin(OpenStackCloud cloud, String command) {
        return NetworkChecks.admin(cloud, command).lines().toList();
    }

    @Test
    void computeAndTheNetworkAgentRunOnTheWorker(OpenStackCloud cloud) {
        assertThat(cloud.fleet().all().names()).containsExactly("controller-01", "worker-01", "storage-01", "storage-02");
        assertThat(cloud.spec().topology()).isEqualTo("controller+1 workers+2 storage");
        assertThat(admin(cloud, "openstack compute service list -f value -c Binary -c Host -c State"))
                .contains("nova-compute worker-01 up", "nova-conductor controller-01 up")
                .noneMatch(l -> l.startsWith("nova-compute controller-01"));
        NetworkChecks.agentsRunWhereTheReleasePutsThem(cloud);
        assertThat(admin(cloud, "openstack hypervisor list -f value -c 'Hypervisor Hostname'"))
                .containsExactly("worker-01");
        // the worker has no database connection and no API services
        String workerConf = cloud.fleet().node("worker-01").call(Sh.checked("cat /etc/nova/nova.conf")).stdout();
        assertThat(workerConf).contains("my_ip = " + cloud.cluster().node("worker-01").address())
                .containsPattern(WORKER_LINE).doesNotContain("mysql+pymysql://");
        assertThat(cloud.controller().call(Sh.checked("cat /etc/nova/nova.conf")).stdout())
                .doesNotContainPattern(WORKER_LINE);
        assertThat(cloud.fleet().node("worker-01").call(Sh.of("systemctl is-active nova-api nova-conductor "
                + "keystone mariadb")).stdout().lines()).hasSize(4).doesNotContain("active");
    }

    @Test
    void aServerOnTheWorkerReachesOutThroughTheRouterAndAnswersOnItsFloatingIp(OpenStackCloud cloud) {
        NetworkChecks.aServerOnTheWorkerReachesOutAndAnswersOnItsFloatingIp(cloud);
    }
}
