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
 * Nova with the libvirt driver on an nspawn node, as a test class asks for it: the verification's
 * server (run when the cloud comes up) is a real qemu (TCG) domain whose tap device is wired into
 * the network (on Zed by Neutron's linuxbridge agent into the network's bridge; from 2025.1 by
 * os-vif into OVN's integration bridge, where ovn-controller claims it), and it is gone from libvirt
 * after its deletion. The class runs on the default release; {@code -Dspeedling.cloud.release=2025.1}
 * runs it on another.
 * The image is the all-in-one's: the fake driver's clouds install nova-compute-qemu too, and the
 * shared image (the test runs' {@code SPEEDLING_IMAGE_SERVICES=all}) holds the libvirt driver's
 * extras for RBD disks as well, so this class builds no image of its own. With Ceph in the cloud, servers' disks are RBD
 * images: copy-on-write clones of their Glance image, opened by qemu over RBD.
 */
@Order(E2eOrder.LIBVIRT_DRIVER)
@SpeedlingCloud(computeDriver = "libvirt", verify = true)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LibvirtComputeE2E {

    @Test
    @Order(1)
    void theVerificationServerWasAQemuDomainOnTheNode(OpenStackCloud cloud) {
        assertThat(cloud.spec().computeDriver()).isEqualTo("libvirt.LibvirtDriver");
        var node = cloud.controller();
        assertThat(node.call(Sh.checked(". /root/admin-openrc.sh && openstack hypervisor list -f value "
                + "-c 'Hypervisor Type'")).stdout()).isEqualTo("QEMU\n");
        boolean ovn = !cloud.spec().release().hasLinuxbridge();
        // the server's port and the network's ports wired on the node: the linuxbridge agent logs each tap it
        // wires; on OVN, ovn-controller logs each port it claims for its chassis
        String wired = ovn ? "grep -hoE 'Claiming lport [0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}' "
                + "/var/log/ovn/ovn-controller.log"
                : "grep -ho 'Port tap[0-9a-f-]* updated' /var/log/neutron/neutron-linuxbridge-agent.log";
        List<String> seen = node.call(Sh.checked(
                "grep -c 'Instance spawned successfully' /var/log/nova/nova-compute.log; "
                        + "grep -c 'Instance destroyed successfully' /var/log/nova/nova-compute.log; "
                        + wired + " | sort -u | wc -l; "
                        + "virsh -c qemu:///system list --all --name | grep -c . || true")).stdout().lines().toList();
        // destroyed twice: stopped for the volume's detach (no guest OS answers a hot-unplug), then deleted
        assertThat(seen).as("spawned, destroyed, ports wired, domains left").hasSize(4)
                .startsWith("1", "2").endsWith("0");
        // linuxbridge: the network's DHCP port, the router's port and the server's; OVN claims VIFs only (its
        // DHCP is in ovn-controller, the router's ports are its own): the server's
        assertThat(Integer.parseInt(seen.get(2))).as("ports wired on the node").isGreaterThanOrEqualTo(ovn ? 1 : 3);
        if (ovn) {
            // os-vif made the server's tap a port of the integration bridge, which stayed on the userspace datapath
            assertThat(node.call(Sh.checked("ovs-vsctl get Bridge br-int datapath_type")).stdout().strip())
                    .isEqualTo("netdev");
        }
    }

    @Test
    @Order(2)
    void aServersDiskIsACloneOfItsImageInCephThatQemuOpensOverRbd(OpenStackCloud cloud) {
        var node = cloud.controller();
        List<String> out = node.call(Sh.checked("""
                set -e
                . /root/admin-openrc.sh
                net=$(openstack network show private -f value -c id)
                image=$(openstack image show speedling-tiny -f value -c id)
                # --wait prints its progress first: the id is the last line
                id=$(openstack server create --flavor m1.nano --image speedling-tiny --nic net-id=$net --wait \
                  e2e-rbd-disk -f value -c id | tail -1)
                domain=$(openstack server show $id -f value -c OS-EXT-SRV-ATTR:instance_name)
                rbd -p vms ls | grep -cx "${id}_disk"
                rbd info vms/${id}_disk | grep -o "parent: images/$image@snap" | sed "s/$image/IMAGE/"
                virsh -c qemu:///system dumpxml $domain | grep -o "protocol='rbd' name='vms/${id}_disk'" \
                  | sed "s/$id/ID/"
                snap=$(openstack server image create --name e2e-rbd-snap --wait $id -f value -c id | tail -1)
                rbd -p images ls | grep -cx "$snap"
                openstack image delete $snap
                openstack server delete --wait $id
                rbd -p vms ls | grep -c "$id" || true
                """)).stdout().lines().toList();
        assertThat(out).as("disk in vms, its parent, qemu's disk source, the snapshot made in the images pool, "
                + "disks left after the deletion")
                .containsExactly("1", "parent: images/IMAGE@snap", "protocol='rbd' name='vms/ID_disk'", "1", "0");
    }
}
