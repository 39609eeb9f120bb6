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
 * OpenStack 2025.1 from Debian 13 on a controller and a worker, Neutron on ML2/OVN with Open vSwitch's
 * userspace datapath: the cloud deploys and passes the verifier (the extension runs it), a server
 * on the worker reaches the public network through Geneve and the gateway chassis on the
 * controller, answers on its floating IP, and a rerun restarts nothing. The core cloud and the
 * default resources: storage on 2025.1 (Ceph, Cinder, Swift, Tempest) was proven by hand on an
 * all-in-one, and CI's time goes to Zed's storage tests.
 */
@Order(E2eOrder.NEWER_RELEASE)
@SpeedlingCloud(release = "2025.1", workers = 1, verify = true,
        services = {"keystone", "glance", "placement", "neutron", "nova", "defaults"})
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EpoxyOnOvnE2E {
    private static String admin(OpenStackCloud cloud, String script) {
        return cloud.controller().call(Sh.checked(". /root/admin-openrc.sh && " + script)).stdout().strip();
    }

    @Test
    @Order(1)
    void theNodesRunTrixiesOpenStackAndNeutronOnOvn(OpenStackCloud cloud) {
        for (String node : List.of("controller-01", "worker-01")) {
            List<String> os = cloud.fleet().node(node).call(Sh.checked(". /etc/os-release; echo $VERSION_CODENAME; "
                    + "dpkg-query -W -f '${Version}\\n' python3-nova")).stdout().lines().toList();
            assertThat(os).as(node).hasSize(2).first().isEqualTo("trixie");
            assertThat(os.get(1)).as(node + ": Nova of 2025.1").startsWith("2:31.");
        }
        // 2025.1's units want the database, the message queue and Keystone: none of them may start on the worker
        // (an unconfigured Keystone there respawned its uWSGI workers without end, seen on a 2025.1 cloud)
        assertThat(cloud.fleet().node("worker-01").call(Sh.of("systemctl is-active keystone mariadb rabbitmq-server"))
                .stdout().lines()).as("controller services on the worker").containsOnly("inactive");
        assertThat(admin(cloud, "openstack network agent list -f value -c 'Agent Type' -c Host -c Alive").lines())
                .contains("OVN Controller Gateway agent controller-01 True", "OVN Controller agent worker-01 True",
                        "OVN Metadata agent worker-01 True");
        // the chassis are named as the nodes, and Geneve runs between their provider addresses
        assertThat(cloud.controller().call(Sh.checked("ovn-sbctl --no-leader-only -f csv --no-headings "
                + "--columns=name list Chassis")).stdout().lines()).containsExactlyInAnyOrder("controller-01", "worker-01");
        assertThat(cloud.controller().call(Sh.checked("ovn-sbctl --no-leader-only -f csv --no-headings "
                + "--columns=type list Encap")).stdout().lines()).containsExactly("geneve", "geneve");
    }

    @Test
    @Order(2)
    void aServerOnTheWorkerReachesOutThroughTheGatewayAndAnswersOnItsFloatingIp(OpenStackCloud cloud) {
        String out = admin(cloud, """
                set -e
                n=e2e-ovn
                openstack network create $n -f value -c id >/dev/null
                openstack subnet create --network $n --subnet-range 192.168.91.0/24 $n -f value -c id >/dev/null
                openstack router create --external-gateway public $n -f value -c id >/dev/null
                openstack router add subnet $n $n
                # the project's default group lets no ping in: a group of the test's own does
                openstack security group create $n -f value -c id >/dev/null
                openstack security group rule create --protocol icmp --ingress $n -f value -c id >/dev/null
                id=$(openstack server create --flavor m1.nano --image speedling-tiny --network $n --security-group $n \\
                  --wait $n -f value -c id | tail -1)
                fip=$(openstack floating ip create public -f value -c floating_ip_address | tail -1)
                openstack server add floating ip $n $fip
                gw=$(openstack router show $n -f json -c external_gateway_info | grep -oE '"ip_address": "[0-9.]+"' \\
                  | grep -oE '[0-9.]+')
                echo "server=$id fip=$fip gateway=$gw host=$(openstack server show $n -f value -c OS-EXT-SRV-ATTR:host)"
                """);
        String server = field(out, "server");
        assertThat(field(out, "host")).isEqualTo("worker-01");
        // from the server's namespace on the worker, over Geneve to the router on the gateway chassis
        String outward = cloud.fleet().node("worker-01").call(Sh.of("ip netns exec fakeguest-" + server
                + " ping -c 3 -i 0.3 -W 2 " + field(out, "gateway"))).stdout();
        // from the controller's provider address, to the floating IP: NAT on the router, back over Geneve
        String inward = cloud.controller().call(Sh.of("for i in $(seq 20); do ping -c 1 -W 1 " + field(out, "fip")
                + " >/dev/null && break; sleep 0.5; done; ping -c 3 -i 0.3 -W 2 " + field(out, "fip"))).stdout();
        admin(cloud, "n=e2e-ovn; openstack server delete --wait $n; openstack floating ip delete " + field(out, "fip")
                + "; openstack router remove subnet $n $n; openstack router delete $n; openstack network delete $n; "
                + "openstack security group delete $n");
        assertThat(outward).as("ping from the server to the router's gateway").contains("3 received");
        assertThat(inward).as("ping of the floating IP from the controller").contains("3 received");
    }

    @Test
    @Order(3)
    void aRerunConvergesWithoutRestarts(OpenStackCloud cloud) {
        DeployResult again = Deployer.of(cloud.spec().cloud(), cloud.stateDir()).deploy(cloud.fleet());
        assertThat(again.report().failed()).isEmpty();
        assertThat(again.restarted()).as("services restarted by a rerun with nothing changed").isZero();
    }

    private static String field(String out, String key) {
        for (String w : out.lines().reduce((a, b) -> b).orElse("").split(" ")) {
            if (w.startsWith(key + "=")) {
                return w.substring(key.length() + 1);
            }
        }
        throw new AssertionError("no " + key + " in " + out);
    }
}
