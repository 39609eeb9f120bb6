package io.speedling.openstack;

import static org.assertj.core.api.Assertions.assertThat;

import io.speedling.core.functions.Sh;
import io.speedling.openstack.junit.SpeedlingCloud;
import java.util.List;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * OpenStack Zed from Debian 12 on a controller and a worker, Neutron with linuxbridge: the release
 * that is not the default, run by the same checks as the default's {@link ControllerAndWorkerE2E}.
 * The cloud deploys and passes the verifier (the extension runs it), a server on the worker reaches
 * the public network through VXLAN and the L3 agent on the controller, answers on its floating IP,
 * and a rerun restarts nothing. The core cloud and the default resources: Zed's storage, several
 * controllers and the libvirt driver are proven by the other classes run with
 * {@code -Dspeedling.cloud.release=zed} (and {@code -Dspeedling.e2e.ha.release=zed}).
 */
@Order(E2eOrder.OTHER_RELEASE)
@SpeedlingCloud(release = "zed", workers = 1, verify = true,
        services = {"keystone", "glance", "placement", "neutron", "nova", "defaults"})
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ZedOnLinuxbridgeE2E {

    @Test
    @Order(1)
    void theNodesRunBookwormsOpenStackAndNeutronOnLinuxbridge(OpenStackCloud cloud) {
        for (String node : List.of("controller-01", "worker-01")) {
            List<String> os = cloud.fleet().node(node).call(Sh.checked(". /etc/os-release; echo $VERSION_CODENAME; "
                    + "dpkg-query -W -f '${Version}\\n' python3-nova")).stdout().lines().toList();
            assertThat(os).as(node).hasSize(2).first().isEqualTo("bookworm");
            assertThat(os.get(1)).as(node + ": Nova of Zed").startsWith("2:26.");
        }
        assertThat(cloud.fleet().node("worker-01").call(Sh.of("systemctl is-active keystone mariadb rabbitmq-server"))
                .stdout().lines()).as("controller services on the worker").containsOnly("inactive");
        NetworkChecks.agentsRunWhereTheReleasePutsThem(cloud);
    }

    @Test
    @Order(2)
    void aServerOnTheWorkerReachesOutThroughTheRouterAndAnswersOnItsFloatingIp(OpenStackCloud cloud) {
        NetworkChecks.aServerOnTheWorkerReachesOutAndAnswersOnItsFloatingIp(cloud);
    }

    @Test
    @Order(3)
    void aRerunConvergesWithoutRestarts(OpenStackCloud cloud) {
        DeployResult again = Deployer.of(cloud.spec().cloud(), cloud.stateDir()).deploy(cloud.fleet());
        assertThat(again.report().failed()).isEmpty();
        assertThat(again.restarted()).as("services restarted by a rerun with nothing changed").isZero();
    }
}
