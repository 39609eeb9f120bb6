package io.speedling.virt;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** The host programs speedling-virt runs, each with the Debian package that provides it. */
public enum HostTool {
    DEBOOTSTRAP("debootstrap", "debootstrap"),
    MMDEBSTRAP("mmdebstrap", "mmdebstrap"),
    SYSTEMD_NSPAWN("systemd-nspawn", "systemd-container"),
    QEMU_IMG("qemu-img", "qemu-utils"),
    QEMU_SYSTEM("qemu-system-x86_64", "qemu-system-x86"),
    MKFS_EXT4("mkfs.ext4", "e2fsprogs"),
    MKFS_VFAT("mkfs.vfat", "dosfstools"),
    MCOPY("mcopy", "mtools"),
    IP("ip", "iproute2"),
    NFT("nft", "nftables"),
    SSH_KEYGEN("ssh-keygen", "openssh-client"),
    MOUNT("mount", "mount"),
    TAR("tar", "tar"),
    SETSID("setsid", "util-linux");

    private static final List<Path> EXTRA_DIRS = List.of(
            Path.of("/usr/local/sbin"), Path.of("/usr/sbin"), Path.of("/sbin"), Path.of("/usr/bin"), Path.of("/bin"));

    private final String command;
    private final String debianPackage;

    HostTool(String command, String debianPackage) {
        this.command = command;
        this.debianPackage = debianPackage;
    }

    public String command() {
        return command;
    }

    public String debianPackage() {
        return debianPackage;
    }

    /** Where the program is, searching PATH and the sbin directories a non-login root shell may lack. */
    public Optional<Path> find() {
        Set<Path> dirs = new LinkedHashSet<>();
        String path = System.getenv("PATH");
        if (path != null) {
            for (String d : path.split(":")) {
                if (!d.isEmpty()) {
                    dirs.add(Path.of(d));
                }
            }
        }
        dirs.addAll(EXTRA_DIRS);
        for (Path d : dirs) {
            Path p = d.resolve(command);
            if (Files.isExecutable(p) && !Files.isDirectory(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** The program's absolute path, or a {@link MissingHostToolException} naming the package to install. */
    public String require() {
        return find().orElseThrow(() -> new MissingHostToolException(this)).toString();
    }

    /**
     * "missing A (package a), B (package b); install with apt-get install [first] a b" for a message
     * that lists every missing tool at once; {@code first} are packages to install with them.
     */
    public static String describeMissing(List<HostTool> missing, String... first) {
        List<String> pkgs = new ArrayList<>(List.of(first));
        missing.stream().map(HostTool::debianPackage).filter(p -> !pkgs.contains(p)).forEach(pkgs::add);
        return "missing " + String.join(", ", missing.stream().map(t -> t.command() + " (package " + t.debianPackage()
                + ")").toList()) + "; install with apt-get install " + String.join(" ", pkgs);
    }

    /** The tools among {@code tools} that are missing, for a single message listing all of them. */
    public static List<HostTool> missing(HostTool... tools) {
        List<HostTool> out = new ArrayList<>();
        for (HostTool t : tools) {
            if (t.find().isEmpty()) {
                out.add(t);
            }
        }
        return out;
    }
}
