package io.speedling.openstack;

import io.speedling.core.StateHome;
import io.speedling.virt.VirtException;
import io.speedling.virt.image.ImageCache;
import io.speedling.virt.image.Recipe;
import io.speedling.virt.image.Recipes;
import io.speedling.virt.libvirt.LibvirtProvider;
import io.speedling.virt.nodes.NodeProvider;
import io.speedling.virt.nodes.NspawnProvider;
import java.util.Arrays;
import java.util.Locale;

/**
 * Where the nodes of a cloud speedling boots come from ({@link CloudSpec#provider}): systemd-nspawn
 * containers (the default: seconds to boot, the host's kernel) or libvirt VMs (the original's way:
 * each node its own kernel, minutes to boot under qemu without KVM). Machines the user already has
 * are given by a hosts file instead ({@link CloudSpec#hosts}).
 */
public enum Provider {
    /** systemd-nspawn containers on this host. */
    NSPAWN("nspawn"),
    /**
     * libvirt domains on {@code qemu:///system} (a running libvirtd), booted directly from the image's
     * kernel with a disk made of the image; the image gets a kernel and cloud-init on top of the tools.
     */
    LIBVIRT("libvirt");

    /** The libvirt connection's URI. */
    static final String LIBVIRT_URI = "qemu:///system";
    /** A libvirt node's root disk (sparse qcow2 on the image's disk). */
    static final int LIBVIRT_ROOT_GIB = 20;

    private final String id;

    Provider(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    /**
     * The provider named {@code name} ({@code nspawn} or {@code libvirt}).
     *
     * @throws IllegalArgumentException for any other name, listing the known ones
     */
    public static Provider of(String name) {
        String n = name == null ? "" : name.strip().toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(p -> p.id.equals(n)).findFirst().orElseThrow(() ->
                new IllegalArgumentException("unknown node provider '" + name + "': give one of "
                        + Arrays.stream(values()).map(Provider::id).toList() + " (machines you already have go in a "
                        + "hosts file: --hosts FILE)"));
    }

    /** The image's base for {@code suite}: speedling's node tools, and for VMs a kernel and cloud-init. */
    Recipe base(String suite) {
        return this == LIBVIRT ? Recipes.vm(suite) : Recipes.node(suite);
    }

    /**
     * Why this host cannot build images and boot these nodes (what to install, or to run as root),
     * or empty when it can: images are built in nspawn containers whatever boots the nodes.
     */
    public java.util.Optional<String> hostProblem() {
        java.util.Optional<String> images = NspawnProvider.hostProblem();
        return images.isPresent() || this == NSPAWN ? images : LibvirtProvider.hostProblem();
    }

    /** Checks, before any slow work, that this host can build images and boot these nodes; throws saying what to install. */
    void checkHost() {
        hostProblem().ifPresent(p -> {
            throw new VirtException(p);
        });
    }

    /** A provider of this kind with its slices in speedling's state directory, booting from {@code cache}'s images. */
    NodeProvider open(ImageCache cache) {
        if (this == NSPAWN) {
            return NspawnProvider.create();
        }
        // speedling's disks are in root's cache and state directories, which libvirt's qemu user cannot enter
        return LibvirtProvider.connect(LIBVIRT_URI, StateHome.dir("virt", "libvirt")).qemuAsRoot(true)
                .bootDisks(cache, LIBVIRT_ROOT_GIB);
    }

    @Override
    public String toString() {
        return id;
    }
}
