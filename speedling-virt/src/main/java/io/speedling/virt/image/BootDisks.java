package io.speedling.virt.image;

import io.speedling.virt.HostTool;
import io.speedling.virt.VirtException;
import io.speedling.virt.internal.Exec;
import io.speedling.virt.internal.Mounts;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;

/**
 * VM boot disks made from cached images ({@link ImageCache#bootDisk}): an ext4 file system of the
 * image's tree as qcow2, with the image's kernel and initrd beside it, under the cache's
 * {@code disks} directory, built once per image and size and published atomically like a layer.
 */
final class BootDisks {
    private BootDisks() {
    }

    static BootDisk of(ImageCache cache, Image image, int sizeGiB) {
        if (sizeGiB < 1 || sizeGiB > 2048) {
            throw new IllegalArgumentException("disk size " + sizeGiB + " GiB is outside 1-2048 GiB");
        }
        String id = image.key() + "-" + sizeGiB + "g";
        Path published = cache.dir().resolve("disks").resolve(id);
        BootDisk disk = new BootDisk(image.key(), sizeGiB, published.resolve("root.qcow2"),
                published.resolve("vmlinuz"), published.resolve("initrd.img"));
        if (Files.exists(published)) {
            return disk;
        }
        try (ImageCache.KeyLock ignored = cache.lockKey("disk-" + id)) {
            if (Files.exists(published)) {
                return disk;
            }
            for (HostTool t : List.of(HostTool.MKFS_EXT4, HostTool.QEMU_IMG, HostTool.MOUNT)) {
                t.require();
            }
            Files.createDirectories(cache.dir().resolve("disks"));
            try (DirectoryStream<Path> stale = Files.newDirectoryStream(cache.dir().resolve("tmp"), "disk-" + id + ".*")) {
                for (Path p : stale) {
                    Mounts.removeTree(p);
                }
            }
            Path tmp = cache.dir().resolve("tmp").resolve("disk-" + id + "." + UUID.randomUUID().toString().substring(0, 8));
            Path mnt = Files.createDirectories(tmp.resolve("mnt"));
            try {
                try (Image.Mounted m = image.mountReadOnly(mnt)) {
                    Path kernel = newestIn(mnt.resolve("boot"), "vmlinuz-", image);
                    Path initrd = mnt.resolve("boot").resolve("initrd.img-"
                            + kernel.getFileName().toString().substring("vmlinuz-".length()));
                    if (!Files.exists(initrd)) {
                        throw new VirtException("image " + image.key() + " has kernel " + kernel.getFileName()
                                + " but no " + initrd.getFileName() + " in /boot: install initramfs-tools in a layer");
                    }
                    Files.copy(kernel, tmp.resolve("vmlinuz"));
                    Files.copy(initrd, tmp.resolve("initrd.img"));
                    Path raw = tmp.resolve("root.raw");
                    Exec.of(HostTool.MKFS_EXT4.require(), "-q", "-F", "-L", "root", "-d",
                            mnt.toString(), raw.toString(), sizeGiB + "G").run();
                }
                Exec.of(HostTool.QEMU_IMG.require(), "convert", "-f", "raw", "-O", "qcow2",
                        tmp.resolve("root.raw").toString(), tmp.resolve("root.qcow2").toString()).run();
                Files.delete(tmp.resolve("root.raw"));
                Files.delete(mnt);
                Files.move(tmp, published, StandardCopyOption.ATOMIC_MOVE);
                return disk;
            } catch (RuntimeException | IOException e) {
                Mounts.removeTree(tmp);
                throw e;
            }
        } catch (IOException e) {
            throw new VirtException("cannot build the VM disk of image " + image.key() + ": " + e.getMessage(), e);
        }
    }

    private static Path newestIn(Path boot, String prefix, Image image) throws IOException {
        List<Path> found = new ArrayList<>();
        if (Files.isDirectory(boot)) {
            try (DirectoryStream<Path> s = Files.newDirectoryStream(boot, prefix + "*")) {
                s.forEach(found::add);
            }
        }
        if (found.isEmpty()) {
            throw new VirtException("image " + image.key() + " has no kernel in /boot: VMs boot the image's own "
                    + "kernel, so add a layer with packages(\"linux-image-amd64\") (Recipes.vm does)");
        }
        found.sort(Comparator.comparing(Path::toString));
        return found.get(found.size() - 1);
    }
}
