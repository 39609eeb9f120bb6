package io.speedling.virt.image;

/**
 * The recipes speedling's own nodes are made from, in the original's order: a minimal bootable
 * base, then the tools speedling itself needs on a node. Later layers (distro packages, OpenStack)
 * go on top of {@link #node(String)}.
 */
public final class Recipes {
    private Recipes() {
    }

    /** Packages that make a minbase tree a node: systemd as init, sshd, sudo, ip. */
    public static final String[] BASE_PACKAGES = {"systemd-sysv", "openssh-server", "iproute2", "sudo", "udev", "dbus"};

    /** What speedling's agent and deploys use on a Debian 12 node: a Java 17 runtime, curl, ping. */
    public static final String[] TOOL_PACKAGES = {"openjdk-17-jre-headless", "curl", "iputils-ping", "ca-certificates"};

    /**
     * {@link #TOOL_PACKAGES} for {@code suite}: Debian 13 and later have no Java 17, so their nodes
     * get Java 21 (the agent runs on 17 or later).
     */
    public static String[] toolPackages(String suite) {
        if (suite.equals("bookworm")) {
            return TOOL_PACKAGES.clone();
        }
        String[] p = TOOL_PACKAGES.clone();
        p[0] = "openjdk-21-jre-headless";
        return p;
    }

    /** A bootable minbase tree of {@code suite}, built with mmdebstrap (much faster than debootstrap). */
    public static Recipe base(String suite) {
        return Recipe.debootstrap(suite).mmdebstrap().include(BASE_PACKAGES);
    }

    /** What a VM node adds: a kernel and initrd for direct boot, cloud-init for its seed. */
    public static final String[] VM_PACKAGES = {"linux-image-amd64", "initramfs-tools", "cloud-init", "ifupdown",
        "isc-dhcp-client"};

    /** {@link #node(String)} plus a kernel and cloud-init, for libvirt nodes. */
    public static Recipe vm(String suite) {
        return node(suite).packages(VM_PACKAGES);
    }

    /** {@link #base(String)} plus speedling's tools layer. */
    public static Recipe node(String suite) {
        return base(suite).packages(toolPackages(suite));
    }
}
