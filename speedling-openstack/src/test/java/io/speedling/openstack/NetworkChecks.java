package io.speedling.openstack;

import static org.assertj.core.api.Assertions.assertThat;

import io.speedling.core.functions.Sh;
import java.util.List;

/**
 * What the controller + worker classes check of Neutron on a release's own network driver:
 * linuxbridge agents on Zed, ML2/OVN (Open vSwitch's userspace datapath) from 2025.1; and a
 * server's way out and in, which must work the same on both.
 */
final class NetworkChecks {
    private NetworkChecks() {
    }

    static String admin(OpenStackCloud cloud, String script) {
        return cloud.controller().call(Sh.checked(". /root/admin-openrc.sh && " + script)).stdout().strip();
    }

    /** The network agents of a controller-01 + worker-01 cloud, as its release runs them. */
    static void agentsRunWhereTheReleasePutsThem(OpenStackCloud cloud) {
        List<String> agents = admin(cloud, "openstack network agent list -f value -c 'Agent Type' -c Host -c Alive")
                .lines().toList();
        if (cloud.spec().release().hasLinuxbridge()) {
            assertThat(agents).contains("Linux bridge agent worker-01 True", "Linux bridge agent controller-01 True",
                    "DHCP agent controller-01 True", "L3 agent controller-01 True");
            return;
        }
        assertThat(agents).contains("OVN Controller Gateway agent controller-01 True",
                "OVN Controller agent worker-01 True", "OVN Metadata agent worker-01 True");
        // the chassis are named as the nodes, and Geneve runs between their provider addresses
        assertThat(cloud.controller().call(Sh.checked("ovn-sbctl --no-leader-only -f csv --no-headings "
                + "--columns=name list Chassis")).stdout().lines()).contains("controller-01", "worker-01");
        assertThat(cloud.controller().call(Sh.checked("ovn-sbctl --no-leader-only -f csv --no-headings "
                + "--columns=type list Encap")).stdout().lines()).isNotEmpty().containsOnly("geneve");
    }

    /**
     * A server on worker-01 (fake driver: its NIC is a network namespace on the worker) reaches the
     * router's gateway on the public network (over the tunnel between the nodes to the router on the
     * controller) and answers on its floating IP from the controller's provider address (NAT on
     * the router and back over the tunnel). Everything it makes is deleted again.
     */
    static void aServerOnTheWorkerReachesOutAndAnswersOnItsFloatingIp(OpenStackCloud cloud) {
        String out = admin(cloud, """
                set -e
                n=e2e-net
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
                # OVN serves metadata from the network's own port (a real guest learns the route by DHCP)
                md=$(openstack port list --network $n --device-owner network:distributed -f value \\
                  -c 'Fixed IP Addresses' | grep -oE '[0-9]+\\.[0-9]+\\.[0-9]+\\.[0-9]+' | head -1)
                echo "server=$id fip=$fip gateway=$gw metadata=${md:-router} host=$(openstack server show $n -f value \\
                  -c OS-EXT-SRV-ATTR:host)"
                """);
        String server = field(out, "server");
        String outward;
        String inward;
        String metadata;
        try {
            assertThat(field(out, "host")).isEqualTo("worker-01");
            // the router is wired by the network agents after the API answered (the L3 agent's namespace
            // on linuxbridge), the floating IP's NAT likewise
            String guest = "ip netns exec fakeguest-" + server + " ";
            outward = cloud.fleet().node("worker-01").call(Sh.of(pingOnceAnswered(guest, field(out, "gateway"))))
                    .stdout();
            inward = cloud.controller().call(Sh.of(pingOnceAnswered("", field(out, "fip")))).stdout();
            metadata = cloud.fleet().node("worker-01").call(Sh.of(metadataScript(guest, field(out, "metadata"))))
                    .stdout();
        } finally {
            admin(cloud, "n=e2e-net; openstack server delete --wait $n; openstack floating ip delete "
                    + field(out, "fip") + "; openstack router remove subnet $n $n; openstack router delete $n; "
                    + "openstack network delete $n; openstack security group delete $n");
        }
        assertThat(outward).as("ping from the server to the router's gateway").contains("3 received");
        assertThat(inward).as("ping of the floating IP from the controller").contains("3 received");
        // through the network's metadata proxy (OVN's metadata agent on the worker; on linuxbridge the
        // router's) to Nova's metadata API, which knows the server by its address
        assertThat(metadata).as("the server's metadata, asked from the server").contains("\"uuid\": \"" + server + "\"");
    }

    /**
     * A script asking the metadata service from {@code prefix}'s network namespace for the server's
     * meta_data.json, for up to 20 s (the proxy is set up after the port is bound); {@code via} is the
     * address of the network's metadata port ("router": the default route leads to it).
     */
    private static String metadataScript(String prefix, String via) {
        String route = via.equals("router") ? "" : prefix + "ip route replace 169.254.169.254/32 via " + via + "; ";
        return route + "for i in $(seq 40); do out=$(" + prefix + "python3 -c \"import urllib.request; print(urllib"
                + ".request.urlopen('http://169.254.169.254/openstack/latest/meta_data.json', timeout=3).read()"
                + ".decode())\" 2>&1) && break; sleep 0.5; done; echo \"$out\"";
    }

    /**
     * A script that gives {@code address} up to 20 s to answer one ping, then sends 3 whose output the
     * caller checks; {@code prefix} runs each ping elsewhere (a network namespace).
     */
    private static String pingOnceAnswered(String prefix, String address) {
        return "for i in $(seq 20); do " + prefix + "ping -c 1 -W 1 " + address + " >/dev/null && break; sleep 0.5; "
                + "done; " + prefix + "ping -c 3 -i 0.3 -W 2 " + address;
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
