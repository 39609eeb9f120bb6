package io.speedling.virt.libvirt;

import io.speedling.virt.nodes.NetworkDef;
import io.speedling.virt.nodes.NodeAddress;
import io.speedling.virt.nodes.PlannedNode;
import io.speedling.virt.nodes.SlicePlan;
import java.nio.file.Path;
import java.util.List;

/**
 * Domain and network XML for libvirt, generated from the same slice model as the nspawn nodes:
 * the networks' bridges, gateways and DHCP host entries, and the nodes' memory, vCPUs, MACs and
 * disks. Every object carries a {@code <metadata>} element naming its slice, which is how
 * {@link LibvirtProvider#wipe(int)} recognises what it may remove.
 */
public final class LibvirtXml {
    public static final String NS = "https://speedling.io/xmlns/virt/1";

    private LibvirtXml() {
    }

    public static String networkName(SlicePlan plan, NetworkDef net) {
        return plan.bridge(net);
    }

    public static String domainName(SlicePlan plan, PlannedNode node) {
        return "spd" + plan.slice() + "-" + node.name();
    }

    static String metadata(int slice, String kind) {
        return "  <metadata>\n    <speedling:owner xmlns:speedling=\"" + NS + "\" slice=\"" + slice + "\" kind=\""
                + kind + "\"/>\n  </metadata>\n";
    }

    /** A libvirt network for one of the slice's networks: its bridge, NAT or isolated, DHCP per node. */
    public static String network(SlicePlan plan, NetworkDef net) {
        StringBuilder x = new StringBuilder();
        x.append("<network>\n  <name>").append(esc(networkName(plan, net))).append("</name>\n");
        x.append(metadata(plan.slice(), "network"));
        if (net.nat()) {
            x.append("  <forward mode=\"nat\"/>\n");
        }
        x.append("  <bridge name=\"").append(esc(plan.bridge(net))).append("\" stp=\"off\" delay=\"0\"/>\n");
        x.append("  <ip address=\"").append(plan.hostAddress4(net)).append("\" prefix=\"24\">\n    <dhcp>\n");
        String sub = plan.subnet4(net);
        String prefix = sub.substring(0, sub.lastIndexOf('.') + 1);
        x.append("      <range start=\"").append(prefix).append(SlicePlan.FIRST_HOST).append("\" end=\"").append(prefix)
                .append(SlicePlan.FIRST_HOST + SlicePlan.MAX_NODES - 1).append("\"/>\n");
        for (PlannedNode n : plan.nodes()) {
            for (NodeAddress a : n.addresses()) {
                if (a.network().equals(net.name())) {
                    x.append("      <host mac=\"").append(a.mac()).append("\" name=\"").append(esc(n.name()))
                            .append("\" ip=\"").append(a.ipv4()).append("\"/>\n");
                }
            }
        }
        x.append("    </dhcp>\n  </ip>\n");
        x.append("  <ip family=\"ipv6\" address=\"").append(plan.hostAddress6(net)).append("\" prefix=\"64\"/>\n");
        x.append("</network>\n");
        return x.toString();
    }

    /** Files a domain boots from: its qcow2 overlay, extra disks, the seed, kernel and initrd. */
    public record DomainFiles(Path rootDisk, List<Path> extraDisks, Path seed, Path kernel, Path initrd,
                              Path consoleLog) {
        public DomainFiles {
            extraDisks = List.copyOf(extraDisks);
        }
    }

    /** A domain that boots the image's kernel directly with its root on the first virtio disk. */
    public static String domain(SlicePlan plan, PlannedNode n, VirtType type, DomainFiles f) {
        return domain(plan, n, type, f, false);
    }

    /** As {@link #domain(SlicePlan, PlannedNode, VirtType, DomainFiles)}; {@code asRoot} runs qemu as root:root. */
    public static String domain(SlicePlan plan, PlannedNode n, VirtType type, DomainFiles f, boolean asRoot) {
        StringBuilder x = new StringBuilder();
        x.append("<domain type=\"").append(type.xml()).append("\">\n");
        x.append("  <name>").append(esc(domainName(plan, n))).append("</name>\n");
        x.append(metadata(plan.slice(), "node"));
        x.append("  <memory unit=\"MiB\">").append(n.role().memoryMiB()).append("</memory>\n");
        x.append("  <vcpu>").append(n.role().vcpus()).append("</vcpu>\n");
        x.append("  <os>\n    <type arch=\"x86_64\" machine=\"pc\">hvm</type>\n");
        x.append("    <kernel>").append(esc(f.kernel().toString())).append("</kernel>\n");
        x.append("    <initrd>").append(esc(f.initrd().toString())).append("</initrd>\n");
        x.append("    <cmdline>root=/dev/vda rw console=ttyS0 net.ifnames=0 ds=nocloud</cmdline>\n");
        x.append("  </os>\n");
        x.append("  <features><acpi/></features>\n");
        if (type == VirtType.KVM) {
            x.append("  <cpu mode=\"host-passthrough\"/>\n");
        }
        x.append("  <on_poweroff>destroy</on_poweroff>\n  <on_reboot>restart</on_reboot>\n");
        x.append("  <devices>\n");
        char dev = 'a';
        x.append(disk(f.rootDisk(), "qcow2", dev++));
        for (Path d : f.extraDisks()) {
            x.append(disk(d, "qcow2", dev++));
        }
        x.append(disk(f.seed(), "raw", dev));
        for (NodeAddress a : n.addresses()) {
            x.append("    <interface type=\"network\">\n      <source network=\"").append(esc(a.bridge()))
                    .append("\"/>\n      <mac address=\"").append(a.mac()).append("\"/>\n")
                    .append("      <model type=\"virtio\"/>\n    </interface>\n");
        }
        x.append("    <serial type=\"file\">\n      <source path=\"").append(esc(f.consoleLog().toString()))
                .append("\"/>\n      <target port=\"0\"/>\n    </serial>\n");
        x.append("    <console type=\"file\">\n      <source path=\"").append(esc(f.consoleLog().toString()))
                .append("\"/>\n      <target type=\"serial\" port=\"0\"/>\n    </console>\n");
        x.append("    <rng model=\"virtio\">\n      <backend model=\"random\">/dev/urandom</backend>\n    </rng>\n");
        x.append("  </devices>\n");
        if (asRoot) {
            x.append("  <seclabel type=\"static\" model=\"dac\" relabel=\"no\">\n    <label>+0:+0</label>\n"
                    + "  </seclabel>\n");
        }
        x.append("</domain>\n");
        return x.toString();
    }

    private static String disk(Path file, String format, char letter) {
        return "    <disk type=\"file\" device=\"disk\">\n      <driver name=\"qemu\" type=\"" + format + "\"/>\n"
                + "      <source file=\"" + esc(file.toString()) + "\"/>\n      <target dev=\"vd" + letter
                + "\" bus=\"virtio\"/>\n    </disk>\n";
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;")
                .replace("'", "&apos;");
    }
}
