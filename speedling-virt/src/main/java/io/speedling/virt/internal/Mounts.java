package io.speedling.virt.internal;

import io.speedling.virt.HostTool;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Overlay mounts and the host's mount table, read from /proc/self/mountinfo. */
public final class Mounts {
    private Mounts() {
    }

    /** One line of mountinfo: where it is mounted, the filesystem type and its super options. */
    public record Mount(Path mountPoint, String type, String superOptions) {
    }

    public static List<Mount> list() {
        List<Mount> out = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                String[] f = line.split(" ");
                int dash = line.indexOf(" - ");
                if (f.length < 5 || dash < 0) {
                    continue;
                }
                String[] after = line.substring(dash + 3).split(" ");
                out.add(new Mount(Path.of(unescape(f[4])), after[0], after.length > 2 ? unescape(after[2]) : ""));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    private static String unescape(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length()) {
                b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    public static boolean isMountPoint(Path p) {
        Path abs = p.toAbsolutePath().normalize();
        return list().stream().anyMatch(m -> m.mountPoint().equals(abs));
    }

    /** Mounts at or below {@code dir}, deepest first. */
    public static List<Path> under(Path dir) {
        Path abs = dir.toAbsolutePath().normalize();
        return list().stream().map(Mount::mountPoint).filter(m -> m.startsWith(abs)).distinct()
                .sorted(Comparator.comparingInt(Path::getNameCount).reversed()).toList();
    }

    /** Unmounts everything at or below {@code dir} (lazily when busy), deepest first. */
    public static void unmountUnder(Path dir) {
        for (Path m : under(dir)) {
            unmount(m);
        }
    }

    public static void unmount(Path mountPoint) {
        Exec.Result r = Exec.of("umount", mountPoint.toString()).runAllowingFailure();
        if (r.exitCode() != 0 && isMountPoint(mountPoint)) {
            Exec.of("umount", "-l", mountPoint.toString()).run();
        }
    }

    /** Mounts an overlay: {@code lowers} top-first, {@code upper}/{@code work} null for a read-only stack. */
    public static void overlay(List<Path> lowers, Path upper, Path work, Path target) {
        StringBuilder o = new StringBuilder("lowerdir=");
        for (int i = 0; i < lowers.size(); i++) {
            if (i > 0) {
                o.append(':');
            }
            o.append(lowers.get(i).toAbsolutePath());
        }
        if (upper != null) {
            o.append(",upperdir=").append(upper.toAbsolutePath()).append(",workdir=").append(work.toAbsolutePath());
        }
        if (lowers.size() == 1 && upper == null) {
            // a single read-only lower layer is not an overlay; bind it read-only instead
            Exec.of(HostTool.MOUNT.require(), "--bind", "-o", "ro", lowers.get(0).toString(), target.toString()).run();
            return;
        }
        Exec.of(HostTool.MOUNT.require(), "-t", "overlay", "overlay", "-o", o.toString(), target.toString()).run();
    }

    /** True if some mount on the host stacks {@code layerTree} as an overlay layer or binds it. */
    public static boolean inUse(Path layerTree) {
        String p = layerTree.toAbsolutePath().normalize().toString();
        for (Mount m : list()) {
            if ("overlay".equals(m.type()) && containsPath(m.superOptions(), p)) {
                return true;
            }
        }
        return false;
    }

    private static boolean containsPath(String options, String path) {
        int i = options.indexOf(path);
        while (i >= 0) {
            int end = i + path.length();
            boolean startOk = i > 0 && (options.charAt(i - 1) == '=' || options.charAt(i - 1) == ':');
            boolean endOk = end == options.length() || options.charAt(end) == ':' || options.charAt(end) == ',';
            if (startOk && endOk) {
                return true;
            }
            i = options.indexOf(path, i + 1);
        }
        return false;
    }

    /** rm -rf that never crosses into another filesystem; unmounts what is below first. */
    public static void removeTree(Path dir) {
        if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        unmountUnder(dir);
        Exec.of("rm", "-rf", "--one-file-system", dir.toString()).run();
    }
}
