package io.speedling.virt.libvirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.speedling.core.Fleet;
import io.speedling.core.functions.Sh;
import io.speedling.virt.HostTool;
import io.speedling.virt.VirtTesting;
import io.speedling.virt.image.BootDisk;
import io.speedling.virt.image.Image;
import io.speedling.virt.image.ImageCache;
import io.speedling.virt.image.Recipes;
import io.speedling.virt.testing.LibvirtDaemon;
import io.speedling.virt.nodes.Cluster;
import io.speedling.virt.nodes.NodeMatrix;
import io.speedling.virt.nodes.Role;
import io.speedling.virt.nodes.SlicePlan;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** One real VM: the image's kernel booted by qemu (TCG) under a libvirtd, reached over SSH. Slice 204. */
@Timeout(value = 25, unit = TimeUnit.MINUTES)
class LibvirtVmE2E {
    static final Path STATE = Path.of("target", "e2e-libvirt").toAbsolutePath();

    @Test
    void aVmBootsFromTheImageAndRunsTheAgent() throws Exception {
        VirtTesting.assumeHost(HostTool.MMDEBSTRAP, HostTool.SYSTEMD_NSPAWN, HostTool.QEMU_IMG, HostTool.MKFS_EXT4,
                HostTool.MKFS_VFAT, HostTool.MCOPY);
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/libvirtd")) && Files.exists(Path.of("/usr/bin/qemu-system-x86_64")),
                "needs libvirt-daemon-system and qemu-system-x86");
        // 5-7 minutes of qemu TCG: bin/test (CI) leaves it out to stay within CI's 90 minutes; -Dspeedling.e2e.vm=true
        // (or SPEEDLING_E2E_VM=true for bin/test) runs it
        assumeTrue(!"false".equals(System.getProperty("speedling.e2e.vm")), "speedling.e2e.vm=false: the VM test is "
                + "left out of this run (bin/test leaves it out unless SPEEDLING_E2E_VM=true)");
        ImageCache cache = VirtTesting.cache();
        long t0 = System.nanoTime();
        Image image = cache.build(Recipes.vm("bookworm"));
        BootDisk disk = cache.bootDisk(image, 4);
        System.out.printf("vm image and boot disk ready in %.1f s%n", (System.nanoTime() - t0) / 1e9);

        SlicePlan plan = SlicePlan.slice(204)
                .matrix(NodeMatrix.defaults().with(new Role("vm", 1536, 2, List.of("mgmt"), List.of(1))))
                .node("vm", 1).build();
        try (LibvirtDaemon daemon = new LibvirtDaemon(STATE.resolve("daemon"));
             LibvirtProvider provider = LibvirtProvider.connect("qemu:///system", STATE).qemuAsRoot(true)) {
            provider.wipe(204);
            t0 = System.nanoTime();
            try (Cluster c = provider.up(plan, disk)) {
                System.out.printf("vm booted to SSH in %.1f s (TCG)%n", (System.nanoTime() - t0) / 1e9);
                try (Fleet f = c.fleet().connect()) {
                    var out = f.node("vm-01").call(new Sh("hostname; ls /sys/class/net | tr '\\n' ' '; echo; "
                            + "lsblk -dn -o NAME,SIZE /dev/vdb; systemd-detect-virt || true", true)).stdout();
                    assertThat(out.lines().toList()).startsWith("vm-01").contains("eth0 lo ");
                    assertThat(out).contains("vdb").contains("1G").contains("qemu");
                }
            }
            assertThat(provider.ourDomains(204)).isEmpty();
            assertThat(provider.ourNetworks(204)).isEmpty();
        }
    }
}
