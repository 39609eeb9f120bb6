package io.speedling.virt;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.speedling.virt.image.ImageCache;
import io.speedling.virt.image.Recipe;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/** Shared fixtures of the virt integration tests. */
public final class VirtTesting {
    private VirtTesting() {
    }

    /**
     * One image cache for every integration test class of this module run, under target/ so that
     * {@code mvn clean} removes it and nothing outside the build directory is written.
     */
    public static final Path CACHE_DIR = Path.of("target", "it-images").toAbsolutePath();

    /** The smallest bootable node tree: systemd, sshd, sudo, ip. */
    public static final Recipe BASE = Recipe.debootstrap("bookworm").mmdebstrap()
            .include("systemd-sysv", "openssh-server", "iproute2", "sudo", "udev", "dbus");

    /** The base plus what the core agent needs to run (a Java 17 runtime). */
    public static final Recipe NODE = BASE.packages("openjdk-17-jre-headless");

    public static ImageCache cache() {
        return ImageCache.open(CACHE_DIR);
    }

    /** Skips the test, saying why, where this machine cannot build images or run nodes. */
    public static void assumeHost(HostTool... tools) {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root (mounts, containers)");
        List<HostTool> missing = HostTool.missing(tools);
        assumeTrue(missing.isEmpty(), () -> "missing host tools: " + missing.stream()
                .map(t -> t.command() + " (package " + t.debianPackage() + ")").collect(Collectors.joining(", ")));
    }
}
