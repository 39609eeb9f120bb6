package io.speedling.examples.bench;

import io.speedling.virt.image.BuildListener;
import io.speedling.virt.image.Image;
import io.speedling.virt.image.ImageCache;
import io.speedling.virt.image.Recipe;
import io.speedling.virt.image.Recipes;
import io.speedling.virt.internal.Exec;
import io.speedling.virt.internal.Mounts;
import io.speedling.virt.nodes.Cluster;
import io.speedling.virt.nodes.NspawnProvider;
import io.speedling.virt.nodes.SlicePlan;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Image and node speed, in one run with its own empty cache and state directories: a base layer
 * built cold and again from the cache, three nspawn nodes booted until all answer SSH, then wiped.
 * Baselines measured in the same run: debootstrap for the same base, and a full copy of the base
 * tree for one node (what an overlay per node saves).
 *
 * <p>Options: {@code --suite S} (bookworm), {@code --slice N} (250), {@code --no-baseline}.
 */
public final class ImageAndNodesBench {

    public static void main(String[] args) throws Exception {
        BenchArgs a = BenchArgs.parse("image-and-nodes", args, java.util.List.of("--no-baseline"), "--suite", "--slice");
        String suite = a.get("--suite", "bookworm");
        int slice = a.getInt("--slice", 250);
        boolean baseline = !a.has("--no-baseline");
        Path work = Files.createTempDirectory(Path.of("/var/tmp"), "speedling-bench-images-");
        NspawnProvider provider = NspawnProvider.create(work.resolve("state"));
        Thread cleanup = new Thread(() -> {
            provider.wipe(slice);
            Mounts.removeTree(work);
        }, "bench-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        try {
            ImageCache cache = ImageCache.open(work.resolve("cache"));
            Recipe base = Recipes.base(suite);
            BuildListener quiet = new BuildListener() { };

            long t0 = System.nanoTime();
            Image img = cache.build(base, quiet);
            double cold = BenchArgs.secs(t0);
            System.out.printf("base layer cold (mmdebstrap %s, empty cache): %.1f s, %d MiB%n", suite, cold,
                    img.top().sizeBytes() >> 20);

            t0 = System.nanoTime();
            Image again = cache.build(base, quiet);
            double cached = BenchArgs.secs(t0);
            if (!again.equals(img)) {
                throw new IllegalStateException("the second build did not return the cached layer");
            }
            System.out.printf("base layer cached: %.3f s%n", cached);

            Image node = cache.build(base.packages(Recipes.toolPackages(suite)), quiet);
            System.out.printf("tools layer (java, curl): %.1f s%n", node.top().buildSeconds());

            SlicePlan plan = SlicePlan.slice(slice).node("worker", 3).build();
            t0 = System.nanoTime();
            Cluster cluster = provider.cycle(plan, node);
            double boot = BenchArgs.secs(t0);
            System.out.printf("3 nspawn nodes created, booted, all answering SSH: %.2f s%n", boot);

            t0 = System.nanoTime();
            cluster.wipe();
            double wipe = BenchArgs.secs(t0);
            System.out.printf("3 nodes wiped: %.2f s%n", wipe);

            if (baseline) {
                t0 = System.nanoTime();
                Path copy = work.resolve("copy");
                Exec.of("cp", "-a", img.top().tree().toString(), copy.toString()).run();
                double cp = BenchArgs.secs(t0);
                Mounts.removeTree(copy);
                System.out.printf("baseline: cp -a of the base tree for one node: %.2f s (3 nodes: %.1f s)%n", cp,
                        3 * cp);

                ImageCache other = ImageCache.open(work.resolve("cache-debootstrap"));
                t0 = System.nanoTime();
                other.build(Recipe.debootstrap(suite).include(Recipes.BASE_PACKAGES), quiet);
                double deb = BenchArgs.secs(t0);
                System.out.printf("baseline: debootstrap of the same base: %.1f s%n", deb);
                System.out.printf("ratios: debootstrap/mmdebstrap %.1fx, cold/cached %.0fx, 3-node copy/boot %.1fx%n",
                        deb / cold, cold / cached, 3 * cp / boot);
            }
            System.out.printf("image-and-nodes base_cold_s=%.1f base_cached_s=%.3f nodes=3 boot_to_ssh_s=%.2f wipe_s=%.2f%n",
                    cold, cached, boot, wipe);
        } finally {
            Runtime.getRuntime().removeShutdownHook(cleanup);
            cleanup.run();
        }
    }


}
