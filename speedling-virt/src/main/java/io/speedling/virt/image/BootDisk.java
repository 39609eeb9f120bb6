package io.speedling.virt.image;

import java.nio.file.Path;

/**
 * An image as a VM boots it: a qcow2 disk (ext4, the image's merged tree, no partition table)
 * that nodes use as the read-only backing file of their own overlays, and the image's kernel and
 * initrd for direct kernel boot.
 */
public record BootDisk(String imageKey, int sizeGiB, Path qcow2, Path kernel, Path initrd) {
}
