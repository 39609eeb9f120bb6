package io.speedling.virt.libvirt;

import io.speedling.virt.HostTool;
import io.speedling.virt.internal.Exec;
import io.speedling.virt.nodes.NodeAddress;
import io.speedling.virt.nodes.PlannedNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A NoCloud seed for one node: its host name, the slice's SSH key for root and for a sudo user
 * {@code speedling}, its own SSH host key (so known_hosts is exact from the first connection), and
 * static addresses on every network. Written as a small FAT filesystem labelled {@code CIDATA}
 * (cloud-init looks for vfat or iso9660 only).
 */
public final class CloudInitSeed {
    private CloudInitSeed() {
    }

    public static String metaData(PlannedNode n, String instanceId) {
        return "instance-id: " + instanceId + "\nlocal-hostname: " + n.name() + "\n";
    }

    public static String userData(PlannedNode n, String authorizedKey, String hostPrivateKey, String hostPublicKey) {
        StringBuilder y = new StringBuilder("#cloud-config\n");
        y.append("hostname: ").append(n.name()).append('\n');
        y.append("disable_root: false\n");
        y.append("ssh_pwauth: false\n");
        // with disable_root false, the top-level keys go to root as well
        y.append("ssh_authorized_keys:\n  - ").append(authorizedKey.trim()).append('\n');
        y.append("users:\n  - name: speedling\n    sudo: \"ALL=(ALL) NOPASSWD:ALL\"\n    shell: /bin/bash\n")
                .append("    ssh_authorized_keys:\n      - ").append(authorizedKey.trim()).append('\n');
        // the disk is made at its full size: nothing to grow (minbase has no resize2fs either)
        y.append("resize_rootfs: false\ngrowpart:\n  mode: \"off\"\n");
        // only the given key (a type it has is not generated again)
        y.append("ssh_deletekeys: true\nssh_genkeytypes: [ed25519]\nssh_keys:\n  ed25519_private: |\n");
        for (String line : hostPrivateKey.strip().split("\n")) {
            y.append("    ").append(line).append('\n');
        }
        y.append("  ed25519_public: ").append(hostPublicKey.trim()).append('\n');
        return y.toString();
    }

    public static String networkConfig(PlannedNode n) {
        StringBuilder y = new StringBuilder("version: 2\nethernets:\n");
        List<NodeAddress> all = n.addresses();
        for (int i = 0; i < all.size(); i++) {
            NodeAddress a = all.get(i);
            y.append("  ").append(a.iface()).append(":\n")
                    .append("    match:\n      macaddress: \"").append(a.mac()).append("\"\n")
                    .append("    set-name: ").append(a.iface()).append('\n')
                    .append("    addresses: [").append(a.ipv4()).append('/').append(a.ipv4Prefix()).append(", \"")
                    .append(a.ipv6()).append('/').append(a.ipv6Prefix()).append("\"]\n");
            if (i == 0) {
                // "to: default" is the v2 spelling, but cloud-init 25's ifupdown renderer takes only an address
                y.append("    routes:\n      - to: 0.0.0.0/0\n        via: ").append(a.gateway4()).append('\n')
                        .append("    nameservers:\n      addresses: [").append(a.gateway4()).append("]\n");
            }
        }
        return y.toString();
    }

    /** Writes the seed's files into a fresh directory and packs them into {@code image}. */
    public static void write(Path image, PlannedNode n, String instanceId, String authorizedKey,
                             String hostPrivateKey, String hostPublicKey) throws IOException {
        Path dir = Files.createDirectories(image.resolveSibling(image.getFileName() + ".d"));
        Files.writeString(dir.resolve("meta-data"), metaData(n, instanceId));
        Files.writeString(dir.resolve("user-data"), userData(n, authorizedKey, hostPrivateKey, hostPublicKey));
        Files.writeString(dir.resolve("network-config"), networkConfig(n));
        Files.deleteIfExists(image);
        Exec.of(HostTool.MKFS_VFAT.require(), "-n", "CIDATA", "-C", image.toString(), "2048").run();
        Exec.of(HostTool.MCOPY.require(), "-i", image.toString(), dir.resolve("meta-data").toString(),
                dir.resolve("user-data").toString(), dir.resolve("network-config").toString(), "::").run();
    }
}
