package io.speedling.virt.libvirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.speedling.virt.VirtException;
import io.speedling.virt.image.BootDisk;
import io.speedling.virt.nodes.Cluster;
import io.speedling.virt.nodes.SlicePlan;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.libvirt.Connect;

/**
 * The generated XML defined and started on libvirt's in-process test driver (libvirt0 only, no
 * daemon). Each test has its own {@code test:///.../node.xml}, so its own isolated state.
 */
class LibvirtTestDriverTest {
    @TempDir
    Path tmp;
    LibvirtProvider provider;
    BootDisk disk;

    @BeforeEach
    void connect() throws Exception {
        assumeTrue(Files.exists(Path.of("/usr/lib/x86_64-linux-gnu/libvirt.so.0")),
                "libvirt0 is not installed (apt-get install libvirt0)");
        Path node = tmp.resolve("node.xml");
        Files.writeString(node, "<node>\n</node>\n");
        provider = LibvirtProvider.connect("test://" + node, tmp.resolve("state"));
        Path d = Files.createDirectories(tmp.resolve("disk"));
        disk = new BootDisk("k".repeat(64), 8, d.resolve("root.qcow2"), d.resolve("vmlinuz"), d.resolve("initrd.img"));
    }

    @AfterEach
    void close() {
        if (provider != null) {
            provider.close();
        }
    }

    static SlicePlan plan() {
        return SlicePlan.slice(5).node("controller", 1).node("storage", 1).build();
    }

    @Test
    void domainsAndNetworksFromTheSliceModel() throws Exception {
        Cluster c = provider.up(plan(), disk);
        Connect conn = provider.connection();
        assertThat(provider.ourNetworks(5)).containsExactlyInAnyOrder("spd5-mgmt", "spd5-ext");
        assertThat(provider.ourDomains(5)).containsExactlyInAnyOrder("spd5-controller-01", "spd5-storage-01");

        String net = conn.networkLookupByName("spd5-mgmt").getXMLDesc(0);
        assertThat(net).contains("<forward mode='nat'")
                .contains("name='spd5-mgmt'")
                .contains("<ip address='10.231.5.1' prefix='24'>")
                .contains("<host mac='52:54:00:05:00:00' name='controller-01' ip='10.231.5.10'/>")
                .contains("<host mac='52:54:00:05:00:01' name='storage-01' ip='10.231.5.11'/>")
                .contains("fd5e:ed00:0:5::1");
        assertThat(conn.networkLookupByName("spd5-ext").getXMLDesc(0)).doesNotContain("<forward");

        String ctl = conn.domainLookupByName("spd5-controller-01").getXMLDesc(0);
        assertThat(ctl).contains("type='qemu'")
                .contains("<memory unit='KiB'>8388608</memory>")
                .contains("<vcpu placement='static'>4</vcpu>")
                .contains("<kernel>" + disk.kernel() + "</kernel>")
                .contains("<initrd>" + disk.initrd() + "</initrd>")
                .contains("root=/dev/vda")
                .contains("<mac address='52:54:00:05:00:00'/>")
                .contains("<mac address='52:54:00:05:01:00'/>")
                .contains("<source network='spd5-mgmt'")
                .contains("<source network='spd5-ext'")
                .contains("slice=\"5\"");
        assertThat(conn.domainLookupByName("spd5-controller-01").isActive()).isEqualTo(1);

        String dsk = conn.domainLookupByName("spd5-storage-01").getXMLDesc(0);
        // the storage role: root, two extra disks, the seed; one network
        assertThat(dsk.split("<disk ", -1)).hasSize(5);
        assertThat(dsk).contains("dev='vdb'").contains("dev='vdc'").contains("dev='vdd'")
                .doesNotContain("spd5-ext");

        assertThat(c.knownHosts()).content().contains("controller-01,10.231.5.10 ssh-ed25519 ");
        assertThat(c.sshConfig()).content().contains("Host storage-01\n  HostName 10.231.5.11\n");
    }

    @Test
    void wipeRemovesOnlyWhatCarriesTheSlicesMark() throws Exception {
        Connect conn = provider.connection();
        conn.domainDefineXML("<domain type='test'><name>someone-elses</name><memory>65536</memory>"
                + "<os><type>hvm</type></os></domain>");
        conn.networkDefineXML("<network><name>their-net</name><bridge name='theirbr0'/></network>");
        provider.up(plan(), disk);
        provider.up(SlicePlan.slice(6).node("worker", 1).build(), disk);

        provider.wipe(5);
        assertThat(provider.ourDomains(5)).isEmpty();
        assertThat(provider.ourNetworks(5)).isEmpty();
        assertThat(List.of(conn.listDefinedDomains())).contains("someone-elses");
        assertThat(List.of(conn.listDefinedNetworks())).contains("their-net");
        assertThat(provider.ourDomains(6)).containsExactly("spd6-worker-01");
        assertThat(tmp.resolve("state/slice-5")).doesNotExist();
        provider.wipe(6);
        assertThat(provider.ourNetworks(6)).isEmpty();
    }

    @Test
    void aNetworkThatIsNotOursIsRefusedAndLeftAlone() throws Exception {
        Connect conn = provider.connection();
        conn.networkDefineXML("<network><name>spd5-mgmt</name><bridge name='other0'/></network>");
        assertThatThrownBy(() -> provider.up(plan(), disk))
                .isInstanceOf(VirtException.class)
                .hasMessageContaining("libvirt network spd5-mgmt already exists and was not made by speedling");
        assertThat(List.of(conn.listDefinedNetworks())).contains("spd5-mgmt");
        assertThat(provider.ourDomains(5)).isEmpty();
        assertThat(tmp.resolve("state/slice-5")).doesNotExist();
    }

    @Test
    void stopAndStartKeepTheDomains() throws Exception {
        provider.up(plan(), disk);
        provider.stop(5);
        assertThat(provider.connection().domainLookupByName("spd5-controller-01").isActive()).isZero();
        provider.start(plan());
        assertThat(provider.connection().domainLookupByName("spd5-controller-01").isActive()).isEqualTo(1);
    }

    @Test
    void aNodeIsReadyWhenCloudInitFinishedThisBoot(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp)
            throws Exception {
        java.nio.file.Path console = tmp.resolve("console.log");
        assertThat(LibvirtProvider.cloudInitDone(console, 0)).as("no console yet").isFalse();
        String done = "[   64.07] cloud-init[410]: Cloud-init v. 25.1.4 finished at Thu, 03 Dec 2026 19:57:16 +0000.\n";
        java.nio.file.Files.writeString(console, "[   54.25] cloud-init[410]: Cloud-init v. 25.1.4 running 'init'\n");
        assertThat(LibvirtProvider.cloudInitDone(console, 0)).isFalse();
        java.nio.file.Files.writeString(console, done, java.nio.file.StandardOpenOption.APPEND);
        assertThat(LibvirtProvider.cloudInitDone(console, 0)).isTrue();
        // a boot after a stop: the earlier boot's line does not count
        long before = java.nio.file.Files.size(console);
        assertThat(LibvirtProvider.cloudInitDone(console, before)).isFalse();
        java.nio.file.Files.writeString(console, "booting again\n" + done, java.nio.file.StandardOpenOption.APPEND);
        assertThat(LibvirtProvider.cloudInitDone(console, before)).isTrue();
    }

    @Test
    void aBootDiskSizeOutsideWhatADiskCanBeIsRefusedWhenGiven(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) {
        try (LibvirtProvider p = LibvirtProvider.connect("test:///default", tmp)) {
            var cache = io.speedling.virt.image.ImageCache.open(tmp.resolve("cache"));
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> p.bootDisks(cache, 0))
                    .isInstanceOf(IllegalArgumentException.class).hasMessage("boot disk size 0 GiB is outside 1-2048 GiB");
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> p.cycle(plan(), null))
                    .hasMessageContaining("call bootDisks(cache, sizeGiB)");
        }
    }

    @Test
    void seedCarriesKeysAndStaticAddresses() {
        var n = plan().node("controller-01");
        String user = CloudInitSeed.userData(n, "ssh-ed25519 AAAAC3 me@host", "-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n"
                + "-----END OPENSSH PRIVATE KEY-----\n", "ssh-ed25519 AAAAHOST root@controller-01");
        assertThat(user).startsWith("#cloud-config\n").contains("disable_root: false")
                .contains("ssh_authorized_keys:\n  - ssh-ed25519 AAAAC3 me@host")
                .contains("sudo: \"ALL=(ALL) NOPASSWD:ALL\"")
                .contains("  ed25519_private: |\n    -----BEGIN OPENSSH PRIVATE KEY-----\n    abc\n")
                .contains("ssh_genkeytypes: [ed25519]").contains("resize_rootfs: false");
        assertThat(CloudInitSeed.networkConfig(n)).contains("macaddress: \"52:54:00:05:00:00\"")
                .contains("addresses: [10.231.5.10/24, \"fd5e:ed00:0:5::a/64\"]")
                .contains("routes:\n      - to: 0.0.0.0/0\n        via: 10.231.5.1\n")
                .contains("macaddress: \"52:54:00:05:01:00\"");
    }
}
