package io.speedling.openstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.speedling.core.Fleet;
import io.speedling.core.functions.Sh;
import io.speedling.virt.HostTool;
import io.speedling.virt.image.Image;
import io.speedling.virt.image.ImageCache;
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
 * Nova with the libvirt driver on an nspawn node (slice 233): the verification's server is a real
 * qemu (TCG) domain whose tap device Neutron's linuxbridge agent plugs into the network's bridge,
 * and it is gone from libvirt after its deletion. The image is its own (nova-compute-qemu and
 * qemu instead of the ironic package), kept in the user's default cache like the all-in-one one.
 */
@Timeout(value = 40, unit = TimeUnit.MINUTES)
class LibvirtComputeE2E {
    static final int SLICE = 233;
    static final Path STATE = Path.of("target", "e2e-libvirt-compute").toAbsolutePath();
    static NspawnProvider provider;

    @BeforeAll
    static void host() {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root (containers)");
        List<HostTool> missing = HostTool.missing(HostTool.MMDEBSTRAP, HostTool.SYSTEMD_NSPAWN, HostTool.NFT,
                HostTool.IP);
        assumeTrue(missing.isEmpty(), () -> "missing host tools: " + missing);
        provider = NspawnProvider.create(STATE.resolve("nodes"));
        provider.wipe(SLICE);
    }

    @AfterAll
    static void wipe() {
        if (provider != null) {
            provider.wipe(SLICE);
        }
    }

    @Test
    void theVerificationServerIsAQemuDomainOnTheNode() {
        AllInOne aio = AllInOne.named("libvirt-e2e", SLICE).cache(ImageCache.openDefault()).provider(provider)
                .computeDriver("libvirt");
        Image image = aio.image();
        try (Cluster cluster = aio.nodes(image); Fleet fleet = AllInOne.connect(cluster)) {
            DeployResult r = Deployer.of(aio.cloud(), STATE.resolve("cloud")).deploy(fleet);
            assertThat(r.report().failed()).isEmpty();
            var node = fleet.node(AllInOne.NODE);
            assertThat(node.call(Sh.checked(". /root/admin-openrc.sh && openstack hypervisor list -f value "
                    + "-c 'Hypervisor Type'")).stdout()).isEqualTo("QEMU\n");

            Map<String, Double> steps = Verifier.run(node);
            assertThat(steps).containsOnlyKeys("client_session", "server_active", "server_delete");
            String log = node.call(Sh.checked("grep -c 'Instance spawned successfully' /var/log/nova/nova-compute.log; "
                    + "grep -c 'Instance destroyed successfully' /var/log/nova/nova-compute.log; "
                    + "grep -ho 'Port tap[0-9a-f-]* updated' /var/log/neutron/neutron-linuxbridge-agent.log | sort -u "
                    + "| wc -l; "
                    + "virsh -c qemu:///system list --all --name | grep -c . || true")).stdout();
            assertThat(log.lines().toList()).as("spawned, destroyed, taps the agent wired, domains left")
                    .hasSize(4).startsWith("1", "1").endsWith("0");
            // the network's DHCP port, the router's port and the server's
            assertThat(Integer.parseInt(log.lines().toList().get(2))).as("taps the linuxbridge agent wired")
                    .isGreaterThanOrEqualTo(3);
        }
    }
}
