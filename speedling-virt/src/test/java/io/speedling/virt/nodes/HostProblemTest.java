package io.speedling.virt.nodes;

import static org.assertj.core.api.Assertions.assertThat;

import io.speedling.virt.HostTool;
import java.util.List;
import org.junit.jupiter.api.Test;

class HostProblemTest {

    @Test
    void aMissingProgramIsNamedWithItsPackage() {
        assertThat(NspawnProvider.hostProblem(List.of(HostTool.SYSTEMD_NSPAWN, HostTool.NFT), true, "root"))
                .hasValue("cannot run nspawn nodes: missing systemd-nspawn (package systemd-container), nft (package "
                        + "nftables); install with apt-get install systemd-container nftables");
    }

    @Test
    void anotherUserIsToldToRunAsRoot() {
        assertThat(NspawnProvider.hostProblem(List.of(), false, "alice")).hasValue("nspawn nodes need root (mounts, "
                + "network namespaces, bridges); this process runs as alice: run as root");
        assertThat(NspawnProvider.hostProblem(List.of(), true, "root")).isEmpty();
        // libvirt's message lists its daemon first and names a package once
        assertThat(HostTool.describeMissing(List.of(HostTool.QEMU_IMG, HostTool.MKFS_VFAT), "libvirt-daemon-system",
                "qemu-utils")).isEqualTo("missing qemu-img (package qemu-utils), mkfs.vfat (package dosfstools); "
                + "install with apt-get install libvirt-daemon-system qemu-utils dosfstools");
    }
}
