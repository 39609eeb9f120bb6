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

    /** What speedling's agent and deploys use on a node: a Java 17 runtime, curl, ping. */
    public static final String[] TOOL_PACKAGES = {"openjdk-17-jre-headless", "curl", "iputils-ping", "ca-certificates"};

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
        return base(suite).packages(TOOL_PACKAGES);
    }
}
