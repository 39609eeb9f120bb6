package io.speedling.virt.image;

import io.speedling.virt.HostTool;
import io.speedling.virt.VirtException;
import io.speedling.virt.internal.Exec;
import io.speedling.virt.internal.Mounts;
import io.speedling.virt.internal.ProcessId;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/** Builds one layer into {@code tmp/tree}. Base layers are made there; others through an overlay. */
final class LayerBuilder {
    /** File in the build dir naming the processes a build started, for cleanup after a kill -9. */
    static final String PIDS = "pids";
    static final long PROGRESS_EVERY_SECONDS = 10;

    private final Path tmp;
    private final Path tree;
    private final String key;
    private final Step step;
    private final ImageCache.Image0 parents;
    private final BuildListener listener;
    private final AtomicReference<String> lastLine = new AtomicReference<>("");

    LayerBuilder(Path tmp, String key, Step step, ImageCache.Image0 parents, BuildListener listener) {
        this.tmp = tmp;
        this.tree = tmp.resolve("tree");
        this.key = key;
        this.step = step;
        this.parents = parents;
        this.listener = listener;
    }

    void build() throws IOException {
        ImageCache.requireTools(step);
        long t0 = System.nanoTime();
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "layer-progress-" + key.substring(0, 8));
            t.setDaemon(true);
            return t;
        });
        ticker.scheduleAtFixedRate(() -> listener.stillBuilding(key, step, (System.nanoTime() - t0) / 1e9,
                lastLine.get()), PROGRESS_EVERY_SECONDS, PROGRESS_EVERY_SECONDS, TimeUnit.SECONDS);
        try {
            if (step instanceof Step.Debootstrap d) {
                debootstrap(d);
            } else if (step instanceof Step.Archive a) {
                archive(a);
            } else {
                inOverlay();
            }
        } finally {
            ticker.shutdownNow();
        }
    }

    private Exec exec(List<String> cmd) {
        return Exec.of(cmd).lines(line -> {
            lastLine.set(line);
            listener.output(key, line);
        }).onStart(this::recordPid);
    }

    private void recordPid(Process p) {
        ProcessId.of(p.pid()).ifPresent(id -> {
            try {
                Files.writeString(tmp.resolve(PIDS), id + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    private void debootstrap(Step.Debootstrap d) throws IOException {
        List<String> cmd = new ArrayList<>();
        if (d.tool().equals("mmdebstrap")) {
            cmd.add(HostTool.MMDEBSTRAP.require());
            cmd.add("--mode=root");
            cmd.add("--dpkgopt=force-unsafe-io");
            // keep apt's package lists so the next layers install without an update
            cmd.add("--skip=cleanup/apt/lists");
            if (d.rolling()) {
                // kept in the tree (apt.conf.d/99mmdebstrap), so the layers' own updates take it too
                cmd.add("--aptopt=Acquire::Check-Valid-Until \"false\"");
            }
        } else {
            cmd.add(HostTool.DEBOOTSTRAP.require());
        }
        if (!d.variant().isEmpty()) {
            cmd.add("--variant=" + d.variant());
        }
        if (!d.include().isEmpty()) {
            cmd.add("--include=" + String.join(",", d.include()));
        }
        if (!d.components().isEmpty()) {
            cmd.add("--components=" + String.join(",", d.components()));
        }
        cmd.add(d.suite());
        cmd.add(tree.toString());
        cmd.add(d.mirror());
        try {
            exec(cmd).run();
        } finally {
            // debootstrap mounts /proc and /sys in the tree while it runs
            for (Path m : Mounts.under(tree)) {
                Mounts.unmount(m);
            }
        }
        finishBase();
    }

    /** A base is shared by every node: no host keys, no machine id, no downloaded packages. */
    private void finishBase() throws IOException {
        Path ssh = tree.resolve("etc/ssh");
        if (Files.isDirectory(ssh)) {
            try (DirectoryStream<Path> keys = Files.newDirectoryStream(ssh, "ssh_host_*")) {
                for (Path k : keys) {
                    Files.delete(k);
                }
            }
        }
        Path machineId = tree.resolve("etc/machine-id");
        if (Files.exists(machineId)) {
            Files.delete(machineId);
            Files.writeString(machineId, "");
        }
        Path archives = tree.resolve("var/cache/apt/archives");
        if (Files.isDirectory(archives)) {
            try (DirectoryStream<Path> debs = Files.newDirectoryStream(archives, "*.deb")) {
                for (Path deb : debs) {
                    Files.delete(deb);
                }
            }
        }
    }

    private void archive(Step.Archive a) throws IOException {
        Path file = tmp.resolve("download");
        String actual = download(a.source(), file);
        if (!actual.equals(a.sha256())) {
            Files.deleteIfExists(file);
            throw new VirtException("sha256 mismatch for " + a.source() + ": expected " + a.sha256() + ", got "
                    + actual + "; the download was discarded. Check the URL and the checksum you gave");
        }
        exec(List.of(HostTool.TAR.require(), "--numeric-owner", "--xattrs", "--xattrs-include=*", "-xpf",
                file.toString(), "-C", tree.toString())).run();
        Files.delete(file);
    }

    private static String download(URI source, Path to) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try (InputStream in = new DigestInputStream(open(source), md);
             OutputStream out = Files.newOutputStream(to, StandardOpenOption.CREATE_NEW)) {
            in.transferTo(out);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static InputStream open(URI source) throws IOException {
        if ("file".equals(source.getScheme())) {
            Path p = Path.of(source);
            if (!Files.isRegularFile(p)) {
                throw new VirtException("archive " + source + " does not exist or is not a file");
            }
            return Files.newInputStream(p);
        }
        HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(Duration.ofSeconds(20)).build();
        try {
            HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(source).GET().build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            if (r.statusCode() != 200) {
                r.body().close();
                throw new VirtException("downloading " + source + " failed: HTTP " + r.statusCode());
            }
            return r.body();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VirtException("downloading " + source + " was interrupted", e);
        } catch (java.net.ConnectException e) {
            throw new VirtException("cannot download " + source + ": " + e, e);
        }
    }

    /** Mounts the parents with this layer's tree as the writable upper dir and applies the step. */
    private void inOverlay() throws IOException {
        Path work = Files.createDirectories(tmp.resolve("work"));
        Path merged = Files.createDirectories(tmp.resolve("merged"));
        try (Image.Mounted m = parents.image().mount(tree, work, merged)) {
            if (step instanceof Step.Files f) {
                writeFiles(merged, f);
            } else if (step instanceof Step.Packages p) {
                inContainer(merged, packagesScript(p));
            } else if (step instanceof Step.Script s) {
                inContainer(merged, s.script());
            } else {
                throw new IllegalStateException("not an overlay step: " + step);
            }
        }
        Mounts.removeTree(work);
        Files.delete(merged);
    }

    private void inContainer(Path root, String script) {
        List<String> cmd = new ArrayList<>(List.of(HostTool.SYSTEMD_NSPAWN.require(), "--quiet", "--register=no",
                "--keep-unit", "--as-pid2", "--console=pipe", "--resolv-conf=off", "--timezone=off",
                "--link-journal=no", "--machine=spd-build-" + key.substring(0, 12), "-D", root.toString(),
                "--setenv=DEBIAN_FRONTEND=noninteractive", "--setenv=LC_ALL=C.UTF-8",
                "--setenv=PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                "/bin/sh", "-euc", script));
        exec(cmd).run();
    }

    static String packagesScript(Step.Packages p) {
        String pkgs = String.join(" ", p.packages());
        StringBuilder s = new StringBuilder();
        s.append("# services are not started while packages install into an image\n")
                .append("printf '#!/bin/sh\\nexit 101\\n' > /usr/sbin/policy-rc.d\n")
                .append("chmod 755 /usr/sbin/policy-rc.d\n")
                .append(PythonCompile.defer())
                .append("trap 'rm -f /usr/sbin/policy-rc.d; speedling_py3compile_restore' EXIT\n");
        if (!p.debconf().isBlank()) {
            s.append("debconf-set-selections <<'SPEEDLING_DEBCONF'\n").append(p.debconf().strip())
                    .append("\nSPEEDLING_DEBCONF\n");
        }
        String install = "apt-get -q -y --no-install-recommends -o Dpkg::Options::=--force-unsafe-io"
                + " -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold install " + pkgs;
        java.util.SortedSet<String> suites = p.otherSuites();
        boolean fresh = !suites.isEmpty();
        if (fresh) {
            // the image's own mirror, for the other suites' sources
            s.append("m=$(grep -hoE '(https?|file)://[^ ]+' /etc/apt/sources.list /etc/apt/sources.list.d/*.list"
                    + " /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n 1)\n");
        }
        for (String suite : suites) {
            // that suite's main component, below every package of the image's suite
            s.append("echo \"deb ${m:-").append(Recipe.DEFAULT_MIRROR).append("} ").append(suite)
                    .append(" main\" > /etc/apt/sources.list.d/speedling-").append(suite).append(".list\n")
                    .append("printf 'Package: *\\nPin: release n=").append(suite)
                    .append("\\nPin-Priority: 100\\n' > /etc/apt/preferences.d/speedling-").append(suite).append("\n");
        }
        s.append(fresh ? "apt-get -q update\n"
                : "if ! ls /var/lib/apt/lists/*_Packages >/dev/null 2>&1; then apt-get -q update; fi\n")
                .append(install).append(" || { apt-get -q update && ").append(install).append("; }\n")
                .append(PythonCompile.compile())
                .append("apt-get clean\n");
        return s.toString();
    }

    private static void writeFiles(Path root, Step.Files f) throws IOException {
        for (Step.FileEntry e : f.files()) {
            Path target = root.resolve(e.path().substring(1)).normalize();
            if (!target.startsWith(root)) {
                throw new VirtException("file " + e.path() + " of layer '" + f.name() + "' is outside the image");
            }
            Files.createDirectories(target.getParent());
            Path part = target.resolveSibling("." + target.getFileName() + ".speedling-part");
            Files.write(part, e.content());
            Files.setAttribute(part, "unix:uid", e.uid());
            Files.setAttribute(part, "unix:gid", e.gid());
            Files.setAttribute(part, "unix:mode", e.mode());
            Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
