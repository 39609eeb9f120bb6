package io.speedling.virt.nodes;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Each node's own control group. systemd-nspawn with {@code --keep-unit} (there may be no systemd
 * on the host to make it a scope) puts the node's systemd in {@code payload} below the group it was
 * started in; every node started from one process was so in one group, and their systemds made,
 * used and removed the same {@code payload/system.slice/UNIT.service} groups: an early unit of one
 * node at times found its group just removed by another node ("Failed to attach to cgroup ... No
 * such file or directory", exit 219/CGROUP: a node left without addresses, or without
 * {@code /run/mysqld} and {@code /run/haproxy} when systemd-tmpfiles-setup was hit), and a stop
 * "failed to kill control group" with an I/O error. Seen in CI on the three-controller test.
 *
 * <p>So each node's systemd-nspawn starts in a group of its own, {@code speedling-MACHINE} below the
 * launching process's group, in the hierarchies systemd uses: the unified one (cgroup v2, or its
 * hybrid mount beside v1's) and {@code name=systemd} where v1's is mounted. A node whose group cannot
 * be entered starts as before (its console says why).
 */
final class NodeCgroups {
    private static final Logger LOG = LoggerFactory.getLogger("speedling.nspawn");
    static final String PREFIX = "speedling-";

    /** The shell the launcher runs first: into each group of {@code $SPEEDLING_CGROUPS}, then exec. */
    static final String ENTER = "for d in $SPEEDLING_CGROUPS; do mkdir -p \"$d\" && echo $$ > \"$d/cgroup.procs\" "
            + "|| echo \"speedling: cannot enter control group $d; the node shares its launcher's\" >&2; done; "
            + "exec \"$@\"";

    private NodeCgroups() {
    }

    /**
     * The hierarchies' directories of the group this process runs in, read from {@code
     * procSelfCgroup} (the text of {@code /proc/self/cgroup}) under {@code root} ({@code
     * /sys/fs/cgroup}): {@code name=systemd}'s where it is mounted, and the unified hierarchy's
     * where it is mounted (at the root on v2, at {@code unified} on a hybrid host).
     */
    static List<Path> launcherGroups(String procSelfCgroup, Path root) {
        List<Path> out = new ArrayList<>();
        String unified = null;
        for (String line : procSelfCgroup.split("\n")) {
            String[] f = line.split(":", 3);
            if (f.length < 3) {
                continue;
            }
            String rel = f[2].strip().replaceFirst("^/", "");
            if (f[1].equals("name=systemd") && Files.isDirectory(root.resolve("systemd"))) {
                out.add(root.resolve("systemd").resolve(rel));
            } else if (f[0].equals("0") && f[1].isEmpty()) {
                unified = rel;
            }
        }
        if (unified != null) {
            // systemd-nspawn makes payload and supervisor below its group in this hierarchy (mounted at
            // the root on v2, beside the v1 ones as "unified" on a hybrid host) and mirrors the path into
            // name=systemd
            if (Files.exists(root.resolve("cgroup.controllers"))) {
                out.add(root.resolve(unified));
            } else if (Files.exists(root.resolve("unified/cgroup.controllers"))) {
                out.add(root.resolve("unified").resolve(unified));
            }
        }
        return out;
    }

    static List<Path> launcherGroups() {
        try {
            return launcherGroups(Files.readString(Path.of("/proc/self/cgroup"), StandardCharsets.UTF_8),
                    Path.of("/sys/fs/cgroup"));
        } catch (IOException e) {
            LOG.warn("cannot read /proc/self/cgroup ({}); nodes share this process's control group", e.getMessage());
            return List.of();
        }
    }

    /** The groups of the node whose machine name is {@code machine}, one per hierarchy. */
    static List<Path> groups(String machine) {
        return launcherGroups().stream().map(g -> g.resolve(PREFIX + machine)).toList();
    }

    /** The machines whose groups are left below this process's group, of names starting {@code machinePrefix}. */
    static List<String> leftOver(String machinePrefix) {
        List<String> out = new ArrayList<>();
        for (Path base : launcherGroups()) {
            try (Stream<Path> l = Files.list(base)) {
                l.map(d -> d.getFileName().toString()).filter(n -> n.startsWith(PREFIX + machinePrefix))
                        .map(n -> n.substring(PREFIX.length())).filter(m -> !out.contains(m)).forEach(out::add);
            } catch (IOException e) {
                // no such hierarchy here
            }
        }
        return out;
    }

    /** The value of {@code SPEEDLING_CGROUPS} for {@link #ENTER}. */
    static String env(String machine) {
        return String.join(" ", groups(machine).stream().map(Path::toString).toList());
    }

    /**
     * Removes the node's groups (the one made for it and those its systemd made inside), deepest
     * first; a group that still holds a process stays, logged.
     */
    static void remove(String machine) {
        if (machine == null) {
            return;
        }
        for (Path g : groups(machine)) {
            if (!Files.isDirectory(g)) {
                continue;
            }
            List<Path> dirs;
            try (Stream<Path> walk = Files.walk(g)) {
                dirs = walk.filter(Files::isDirectory).sorted(Comparator.comparingInt(Path::getNameCount).reversed())
                        .toList();
            } catch (IOException e) {
                LOG.warn("cannot read control group {}: {}", g, e.getMessage());
                continue;
            }
            for (Path d : dirs) {
                try {
                    Files.delete(d);
                } catch (IOException e) {
                    LOG.warn("control group {} stays: {}", d, e.getMessage());
                }
            }
        }
    }

    /**
     * Whether the node's own systemd runs only on the unified control group hierarchy: systemd 258
     * and later refuse the legacy one ("Detected unsupported legacy cgroup hierarchy, refusing
     * execution": Debian testing's 262 on this hybrid host, 2026-12-03), so nspawn gives such a node
     * the unified hierarchy. Older ones (Debian 12's 252, 13's 257) keep what they booted with.
     */
    static boolean needsUnified(java.nio.file.Path root) {
        return systemdVersion(root) >= 258;
    }

    private static final java.util.regex.Pattern SYSTEMD_LIB =
            java.util.regex.Pattern.compile("libsystemd-shared-(\\d+)(\\.\\d+)?\\.so");

    /** The version of the systemd installed in {@code root} (from its shared library's name), 0 when none is found. */
    static int systemdVersion(java.nio.file.Path root) {
        int best = 0;
        for (String dir : List.of("usr/lib/x86_64-linux-gnu/systemd", "usr/lib/aarch64-linux-gnu/systemd",
                "usr/lib/systemd", "lib/systemd")) {
            java.io.File[] files = root.resolve(dir).toFile().listFiles();
            if (files == null) {
                continue;
            }
            for (java.io.File f : files) {
                java.util.regex.Matcher m = SYSTEMD_LIB.matcher(f.getName());
                if (m.matches()) {
                    best = Math.max(best, Integer.parseInt(m.group(1)));
                }
            }
        }
        return best;
    }
}
