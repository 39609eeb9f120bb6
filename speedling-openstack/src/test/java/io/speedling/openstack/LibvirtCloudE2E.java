package io.speedling.openstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.speedling.core.functions.Sh;
import io.speedling.core.tasks.Progress;
import io.speedling.virt.libvirt.LibvirtProvider;
import io.speedling.virt.nodes.NspawnProvider;
import io.speedling.virt.testing.LibvirtDaemon;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A Keystone cloud on a libvirt VM instead of an nspawn container: the same spec with {@code
 * provider("libvirt")}, the image's kernel booted by qemu (TCG here) under a libvirtd, deployed,
 * verified, picked up again and converged, then wiped. Slice 205. Like the VM test of
 * speedling-virt it runs only with {@code -Dspeedling.e2e.vm=true} ({@code SPEEDLING_E2E_VM=true
 * bin/test}): TCG makes it too slow for CI's budget.
 */
@Timeout(value = 60, unit = TimeUnit.MINUTES)
class LibvirtCloudE2E {
    static final Path STATE = Path.of("target", "e2e-libvirt-cloud").toAbsolutePath();

    @Test
    void aKeystoneCloudOnAVmDeploysVerifiesAndConverges() throws Exception {
        assumeTrue(NspawnProvider.hostProblem().isEmpty(), () -> NspawnProvider.hostProblem().orElse(""));
        assumeTrue(LibvirtProvider.hostProblem().isEmpty(), () -> LibvirtProvider.hostProblem().orElse(""));
        assumeTrue(!"false".equals(System.getProperty("speedling.e2e.vm")), "speedling.e2e.vm=false: the VM cloud is "
                + "left out of this run (bin/test leaves it out unless SPEEDLING_E2E_VM=true)");
        CloudSpec spec = CloudSpec.allInOne().services("keystone").provider("libvirt").name("e2e-vm-keystone")
                .slice(205).verify(true).reuse(true);
        try (LibvirtDaemon daemon = new LibvirtDaemon(STATE.resolve("daemon"))) {
            OpenStackCloud.wipe(spec);
            try {
                long t0 = System.nanoTime();
                try (Progress p = Progress.console(); OpenStackCloud cloud = OpenStackCloud.up(spec, p, true)) {
                    System.out.printf("vm cloud: image, boot, deploy and verify in %.1f s (deploy %.1f s)%n",
                            (System.nanoTime() - t0) / 1e9, cloud.deployResult().report().wallMs() / 1e3);
                    assertThat(cloud.reused()).isFalse();
                    String out = cloud.controller().call(Sh.of("systemd-detect-virt; . /root/admin-openrc.sh; "
                            + "openstack token issue -f value -c id >/dev/null && echo token-ok")).stdout();
                    // its own kernel under qemu, not the host's in a container
                    assertThat(out.lines().findFirst().orElse("")).isIn("qemu", "kvm");
                    assertThat(out).doesNotContain("systemd-nspawn").contains("token-ok");
                    assertThat(((LibvirtProvider) AllInOne.of(spec).provider()).ourDomains(205))
                            .containsExactly("spd205-controller-01");
                }
                t0 = System.nanoTime();
                try (Progress p = Progress.console(); OpenStackCloud again = OpenStackCloud.up(spec, p, true)) {
                    System.out.printf("vm cloud: picked up and converged in %.1f s%n", (System.nanoTime() - t0) / 1e9);
                    assertThat(again.reused()).as("the running VM is picked up, not booted again").isTrue();
                    assertThat(again.deployResult().restarted()).as("services restarted by the rerun").isZero();
                }
            } finally {
                OpenStackCloud.wipe(spec);
            }
            try (LibvirtProvider p = LibvirtProvider.connect("qemu:///system", STATE)) {
                assertThat(p.ourDomains(205)).isEmpty();
                assertThat(p.ourNetworks(205)).isEmpty();
            }
        }
    }
}
