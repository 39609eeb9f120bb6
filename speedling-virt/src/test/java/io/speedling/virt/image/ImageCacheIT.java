package io.speedling.virt.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.speedling.virt.HostTool;
import io.speedling.virt.VirtException;
import io.speedling.virt.VirtTesting;
import io.speedling.virt.internal.Exec;
import io.speedling.virt.internal.Mounts;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Real debootstrap/mmdebstrap, overlayfs and systemd-nspawn builds in the shared test cache. */
@Timeout(value = 15, unit = TimeUnit.MINUTES)
class ImageCacheIT {
    static ImageCache cache;
    static Image base;

    @BeforeAll
    static void buildBase() {
        VirtTesting.assumeHost(HostTool.MMDEBSTRAP, HostTool.SYSTEMD_NSPAWN);
        cache = VirtTesting.cache();
        base = cache.build(VirtTesting.BASE);
    }

    @AfterAll
    static void noMountsLeft() {
        if (cache != null) {
            assertThat(Mounts.under(cache.dir())).isEmpty();
        }
    }

    @Test
    void baseIsABootableTreeWithoutSharedIdentity() throws Exception {
        Path tree = base.top().tree();
        assertThat(tree.resolve("usr/sbin/sshd")).isRegularFile();
        assertThat(tree.resolve("lib/systemd/systemd")).exists();
        try (Stream<Path> keys = Files.list(tree.resolve("etc/ssh"))) {
            assertThat(keys.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith("ssh_host_"));
        }
        assertThat(Files.readString(tree.resolve("etc/machine-id"))).isEmpty();
        LayerInfo info = base.top();
        assertThat(info.kind()).isEqualTo("mmdebstrap");
        assertThat(info.parent()).isNull();
        assertThat(info.sizeBytes()).isGreaterThan(50L << 20);
        assertThat(cache.layer(info.key())).contains(info);
    }

    @Test
    void secondBuildIsACacheHit() {
        List<String> events = new CopyOnWriteArrayList<>();
        Image again = cache.build(VirtTesting.BASE, new BuildListener() {
            @Override
            public void cached(LayerInfo layer) {
                events.add("cached " + layer.key());
            }

            @Override
            public void started(String key, Step step, int index, int total) {
                events.add("started " + key);
            }
        });
        assertThat(again).isEqualTo(base);
        assertThat(events).containsExactly("cached " + base.key());
    }

    @Test
    void layersStackWithWhiteoutsModesAndPackages(@TempDir Path tmp) throws Exception {
        Recipe r = VirtTesting.BASE
                .script("edit", "rm /etc/issue.net; echo from-script > /etc/speedling-script; echo done")
                .files("conf", List.of(new Step.FileEntry("/etc/speedling/secret.conf",
                        "k=v\n".getBytes(StandardCharsets.UTF_8), 0640, 0, 4)));
        List<String> output = new CopyOnWriteArrayList<>();
        Image img = cache.build(r, new BuildListener() {
            @Override
            public void output(String key, String line) {
                output.add(line);
            }
        });
        assertThat(img.layers()).hasSize(3);
        assertThat(img.layers().get(0)).isEqualTo(base.top());
        assertThat(img.layers().get(1).parent()).isEqualTo(base.key());
        assertThat(output).contains("done");
        // the script layer holds only its change: the new file and a whiteout for the removed one
        Path scriptTree = img.layers().get(1).tree();
        assertThat(scriptTree.resolve("etc/speedling-script")).hasContent("from-script");
        assertThat(scriptTree.resolve("usr/sbin/sshd")).doesNotExist();

        Path mnt = Files.createDirectories(tmp.resolve("mnt"));
        try (Image.Mounted m = img.mountReadOnly(mnt)) {
            assertThat(m.path().resolve("etc/speedling-script")).hasContent("from-script");
            assertThat(mnt.resolve("etc/issue.net")).doesNotExist();
            assertThat(mnt.resolve("etc/issue")).exists();
            Path conf = mnt.resolve("etc/speedling/secret.conf");
            assertThat(conf).hasContent("k=v");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(conf))).isEqualTo("rw-r-----");
            assertThat(Files.getAttribute(conf, "unix:gid")).isEqualTo(4);
            assertThat(Mounts.inUse(img.top().tree())).isTrue();
        }
        assertThat(Mounts.inUse(img.top().tree())).isFalse();
    }

    @Test
    void packagesLayerInstallsWithoutStartingServices() throws Exception {
        Image img = cache.build(VirtTesting.BASE.packages("cron"));
        Path tree = img.top().tree();
        assertThat(tree.resolve("usr/sbin/cron")).isRegularFile();
        assertThat(tree.resolve("usr/sbin/policy-rc.d")).doesNotExist();
        try (Stream<Path> debs = Files.list(tree.resolve("var/cache/apt/archives"))) {
            assertThat(debs.filter(p -> p.toString().endsWith(".deb"))).isEmpty();
        }
        // no cron daemon escaped the build
        assertThat(Exec.of("pgrep", "-x", "cron").runAllowingFailure().exitCode()).isEqualTo(1);
    }

    @Test
    void concurrentBuildsOfOneKeyShareOneBuild() throws Exception {
        Recipe r = VirtTesting.BASE.script("slow", "sleep 2; echo " + System.nanoTime() + " > /etc/built");
        List<String> started = new CopyOnWriteArrayList<>();
        BuildListener l = new BuildListener() {
            @Override
            public void started(String key, Step step, int index, int total) {
                started.add(key);
            }
        };
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<Image>> all = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                all.add(pool.submit(() -> cache.build(r, l)));
            }
            Image first = all.get(0).get();
            for (Future<Image> f : all) {
                assertThat(f.get()).isEqualTo(first);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(started).containsExactly(r.key());
    }

    @Test
    void aKilledBuildLeavesNothingTrustedAndTheNextBuildCleansUp() throws Exception {
        String marker = "killed-build-" + System.nanoTime();
        Recipe r = VirtTesting.BASE.script("slow", "echo " + marker + "; sleep 6; echo finished > /etc/slow");
        Process child = new ProcessBuilder(javaBin(), "-cp", System.getProperty("java.class.path"),
                BuildMain.class.getName(), cache.dir().toString(), marker).redirectErrorStream(true).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream()))) {
            String line;
            while ((line = out.readLine()) != null && !line.contains(marker)) {
                // wait until the script runs inside the container
            }
            assertThat(line).as("child build output").isNotNull();
            child.destroyForcibly().waitFor();
        }
        assertThat(cache.layer(r.key())).isEmpty();
        try (Stream<Path> tmp = Files.list(cache.dir().resolve("tmp"))) {
            assertThat(tmp.map(p -> p.getFileName().toString())).anyMatch(n -> n.startsWith(r.key()));
        }
        Image img = cache.build(r);
        assertThat(img.top().tree().resolve("etc/slow")).hasContent("finished");
        try (Stream<Path> tmp = Files.list(cache.dir().resolve("tmp"))) {
            assertThat(tmp.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith(r.key()));
        }
        // the killed build's container was stopped by the rebuild, by its recorded PID
        assertThat(Exec.of("pgrep", "-f", marker).runAllowingFailure().exitCode()).isEqualTo(1);
    }

    /** Builds the recipe of {@link #aKilledBuildLeavesNothingTrustedAndTheNextBuildCleansUp} in a child JVM. */
    public static final class BuildMain {
        public static void main(String[] args) {
            Recipe r = VirtTesting.BASE.script("slow", "echo " + args[1] + "; sleep 6; echo finished > /etc/slow");
            ImageCache.open(Path.of(args[0])).build(r, new BuildListener() {
                @Override
                public void output(String key, String line) {
                    System.out.println(line);
                    System.out.flush();
                }
            });
        }
    }

    private static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    @Test
    void archiveBaseIsVerifiedBeforeUse(@TempDir Path tmp) throws Exception {
        Path src = Files.createDirectories(tmp.resolve("src/etc"));
        Files.writeString(src.resolve("os-release"), "ID=speedling-test\n");
        Path tar = tmp.resolve("root.tar.gz");
        Exec.of("tar", "-czf", tar.toString(), "-C", tmp.resolve("src").toString(), ".").run();
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(tar)));
        ImageCache own = ImageCache.open(tmp.resolve("cache"));

        String wrong = "0".repeat(64);
        assertThatThrownBy(() -> own.build(Recipe.archive(tar.toUri(), wrong)))
                .isInstanceOf(VirtException.class)
                .hasMessageContaining("sha256 mismatch for " + tar.toUri())
                .hasMessageContaining("expected " + wrong + ", got " + sha)
                .hasMessageContaining("the download was discarded");
        assertThat(own.list()).isEmpty();
        try (Stream<Path> left = Files.list(own.dir().resolve("tmp"))) {
            assertThat(left).isEmpty();
        }

        Image img = own.build(Recipe.archive(tar.toUri(), sha));
        assertThat(img.top().tree().resolve("etc/os-release")).hasContent("ID=speedling-test");
        assertThat(img.top().kind()).isEqualTo("archive");
    }

    @Test
    void tagsListAndPrune(@TempDir Path tmp) throws Exception {
        Image child = cache.build(VirtTesting.BASE.script("prune-me", "echo " + System.nanoTime() + " > /etc/p"));
        Image kept = cache.build(VirtTesting.BASE.script("keep-me", "echo " + System.nanoTime() + " > /etc/k"));
        cache.tag("it-base", base);
        cache.tag("it-kept", kept);
        assertThat(cache.tags()).containsEntry("it-base", base.key()).containsEntry("it-kept", kept.key());
        assertThat(cache.image("it-kept")).contains(kept);
        assertThat(cache.list()).extracting(LayerInfo::key).contains(base.key(), child.key(), kept.key());

        // a mounted layer is in use and survives a prune like a tagged one
        Image inUse = cache.build(VirtTesting.BASE.script("in-use", "echo " + System.nanoTime() + " > /etc/u"));
        Path mnt = Files.createDirectories(tmp.resolve("mnt"));
        List<LayerInfo> removed;
        try (Image.Mounted m = inUse.mountReadOnly(mnt)) {
            removed = cache.prune(Duration.ZERO);
        }
        assertThat(removed).extracting(LayerInfo::key).contains(child.key())
                .doesNotContain(base.key(), kept.key(), inUse.key());
        assertThat(cache.layer(child.key())).isEmpty();
        assertThat(cache.layer(kept.key())).isPresent();
        assertThat(cache.untag("it-kept")).isTrue();
        assertThat(cache.tagged("it-kept")).isEmpty();

        assertThatThrownBy(() -> cache.tag("no spaces", base)).hasMessageContaining("tag 'no spaces' is not valid");
        assertThatThrownBy(() -> cache.tag("x", "f".repeat(64))).hasMessageContaining("no layer " + "f".repeat(64));
    }

    @Test
    void aFailingStepNamesTheLayerAndLeavesNoEntry() throws Exception {
        Recipe r = VirtTesting.BASE.script("broken", "echo about to fail; exit 3");
        assertThatThrownBy(() -> cache.build(r))
                .isInstanceOf(VirtException.class)
                .hasMessageContaining("building layer 2/2 (script broken) failed")
                .hasMessageContaining("exit code 3")
                .hasMessageContaining("about to fail");
        assertThat(cache.layer(r.key())).isEmpty();
        try (Stream<Path> tmp = Files.list(cache.dir().resolve("tmp"))) {
            assertThat(tmp.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith(r.key()));
        }
    }
}
