package io.speedling.openstack;

import static org.assertj.core.api.Assertions.assertThat;

import io.speedling.core.functions.Sh;
import io.speedling.openstack.junit.SpeedlingCloud;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Nova with the libvirt driver on an nspawn node, as a test class asks for it: the verification's
 * server (run when the cloud comes up) is a real qemu (TCG) domain whose tap device Neutron's
 * linuxbridge agent wires into the network's bridge, and it is gone from libvirt after its deletion.
 * The image is its own (nova-compute-qemu and qemu instead of the ironic package), kept in the
 * user's default cache like the all-in-one one.
 */
@SpeedlingCloud(computeDriver = "libvirt", verify = true)
class LibvirtComputeE2E {

    @Test
    void theVerificationServerWasAQemuDomainOnTheNode(OpenStackCloud cloud) {
        assertThat(cloud.spec().computeDriver()).isEqualTo("libvirt.LibvirtDriver");
        var node = cloud.controller();
        assertThat(node.call(Sh.checked(". /root/admin-openrc.sh && openstack hypervisor list -f value "
                + "-c 'Hypervisor Type'")).stdout()).isEqualTo("QEMU\n");
        List<String> seen = node.call(Sh.checked(
                "grep -c 'Instance spawned successfully' /var/log/nova/nova-compute.log; "
                        + "grep -c 'Instance destroyed successfully' /var/log/nova/nova-compute.log; "
                        + "grep -ho 'Port tap[0-9a-f-]* updated' /var/log/neutron/neutron-linuxbridge-agent.log "
                        + "| sort -u | wc -l; "
                        + "virsh -c qemu:///system list --all --name | grep -c . || true")).stdout().lines().toList();
        // destroyed twice: stopped for the volume's detach (no guest OS answers a hot-unplug), then deleted
        assertThat(seen).as("spawned, destroyed, taps the agent wired, domains left").hasSize(4)
                .startsWith("1", "2").endsWith("0");
        // the network's DHCP port, the router's port and the server's
        assertThat(Integer.parseInt(seen.get(2))).as("taps the linuxbridge agent wired").isGreaterThanOrEqualTo(3);
    }
}
